#pragma once
// One container's exclusive block of host ids: container id 0 is host id
// host_base, container id size-1 is host_base+size-1. Used for uids and gids
// alike.

#include <cstdint>
#include <string>

namespace moat::runtime::idmap {

// The maps of a user namespace that only serves as the id map of mounts,
// each as /proc/<pid>/uid_map and gid_map take it.
struct IdMapping {
  std::string uid_map;
  std::string gid_map;
};

struct IdRange {
  std::uint32_t host_base = 0;
  std::uint32_t size = 0;

  // "0 100000 65536", the line /proc/<pid>/uid_map shows and takes.
  std::string map_line() const {
    return "0 " + std::to_string(host_base) + " " + std::to_string(size) + "\n";
  }
  // Ids 0..size-1 of uids and gids onto the range.
  IdMapping mapping() const { return {map_line(), map_line()}; }
  friend bool operator==(const IdRange&, const IdRange&) = default;
};

}  // namespace moat::runtime::idmap
