#pragma once
// What the engine keeps on disk about a container, for moatd's one
// judgement that needs more than the request (where `docker cp` would write,
// policy/archive_upload.h) and for moat-runc (the container's owner label,
// runtime/idmap/container_owner.h). Read from the files rather than asked over the API,
// because moatd judges on its event loop and a container's lock can hold an
// API answer for as long as a stop takes. Docker Engine 20.10's layout:
// <data-root>/containers/<id>/config.v2.json (ID, Name, MountPoints) and,
// for a local volume created with options, <data-root>/volumes/<name>/opts.json.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result/result.h"

namespace moat::core::engine {

struct MountPoint {
  std::string destination;
  std::string type;    // "bind", "volume", "tmpfs", ...
  std::string source;  // the host path of a bind
  std::string name;    // a volume's name
  std::string driver;  // a volume's driver
};

struct ContainerRecord {
  std::string id;
  std::string name;  // with the engine's leading "/"
  std::vector<MountPoint> mounts;
  std::map<std::string, std::string> labels;  // Config.Labels
};

// How the engine names containers and layers: 64 lowercase hex digits, the
// same text as a SHA-256 (audit::is_sha256_hex decides it). A path built
// from anything else is not one the engine made.
bool is_engine_id(std::string_view text);

// config.v2.json; an error names what is missing or of the wrong type.
Result<ContainerRecord> parse_container_record(std::string_view config_v2);

// A local volume's opts.json: what it mounts. nullopt for a filesystem of
// its own (tmpfs); the device for anything else (a bind of a host
// directory, a disk), which shows host files.
Result<std::optional<std::string>> volume_host_device(std::string_view opts_json);

// <data_root>/containers/<id>/config.v2.json, read and parsed.
Result<ContainerRecord> read_container_record(const std::string& data_root, const std::string& id);

// The container as the engine resolves `name_or_id` in an API path: a full
// id, then a name, then a unique id prefix. nullopt: the engine knows no
// such container (and will say so itself).
Result<std::optional<ContainerRecord>> find_container(const std::string& data_root, std::string_view name_or_id);

// A host path a container shows: a bind's source, or what a local volume
// mounts. `source` is empty when the volume's driver is not the local one,
// whose storage Moat cannot see.
struct HostMount {
  std::string destination;
  std::string source;
};

// The container's mounts that show host files.
Result<std::vector<HostMount>> host_mounts_of(const std::string& data_root, const ContainerRecord& container);

}  // namespace moat::core::engine
