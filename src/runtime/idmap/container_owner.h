#pragma once
// Whom a container's root writes host bind mounts as: the developer its
// moat.owner label names (core/trust/owner_seal.h), when the engine's own
// record of the container carries that label sealed with this stack's key.
// Anything else (no record: a builder's step; an empty label: created by
// root or with moat.bindMountsWriteAs "containerRange"; no label; a label
// that does not check) leaves the container writing them as its own range.

#include <optional>
#include <string>

#include "core/trust/owner_seal.h"
#include "runtime/idmap/id_range.h"

namespace moat::runtime::idmap {

struct OwnerLookup {
  std::optional<core::trust::ContainerOwner> owner;
  std::string note;  // why a label was not believed; empty otherwise
};

// Reads <engine_data_root>/containers/<container_id>/config.v2.json
// (core/engine/container_record.h) and checks its label against the seals
// in seals_dir. A record that cannot be read names no owner.
OwnerLookup find_container_owner(const std::string& engine_data_root, const std::string& container_id,
                                 const std::string& seals_dir);

// The maps under which on-disk files of the owner's uid and gid are those of
// the container's root (host_root): no other id of the host is mapped.
IdMapping owner_mapping(const core::trust::ContainerOwner& owner, std::uint32_t host_root);

}  // namespace moat::runtime::idmap
