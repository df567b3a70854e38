#include "core/engine/container_record.h"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/audit/hash_chain.h"
#include "core/sys/read_file.h"

namespace moat::core::engine {
namespace {

using nlohmann::json;

// A string member; absent or null reads as "", any other type is an error.
Result<std::string> text_member(const json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::string();
  if (!it->is_string()) return fail(where + ": " + key + " is not a string");
  return it->get<std::string>();
}

Result<json> parse_object(std::string_view text, const std::string& what) {
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) return fail(what + " is not a JSON object");
  return doc;
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0 || errno != ENOENT; }

// The engine's volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]*; anything else
// must not become part of a path.
bool is_volume_name(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.front() == '_' || name.front() == '-') return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<std::vector<std::string>> container_ids(const std::string& data_root) {
  const std::string dir = data_root + "/containers";
  std::unique_ptr<DIR, int (*)(DIR*)> stream(::opendir(dir.c_str()), ::closedir);
  if (!stream) return fail("cannot list " + dir + ": " + std::strerror(errno));
  std::vector<std::string> ids;
  while (const dirent* entry = ::readdir(stream.get())) {
    if (is_engine_id(entry->d_name)) ids.emplace_back(entry->d_name);
  }
  return ids;
}

Result<std::optional<ContainerRecord>> found(Result<ContainerRecord> record) {
  if (!record) return unexpected(record.error());
  return std::optional<ContainerRecord>(std::move(*record));
}

}  // namespace

Result<ContainerRecord> parse_container_record(std::string_view config_v2) {
  auto doc = parse_object(config_v2, "the container's record");
  if (!doc) return unexpected(doc.error());
  ContainerRecord record;
  auto id = text_member(*doc, "ID", "the container's record");
  if (!id) return unexpected(id.error());
  if (!is_engine_id(*id)) return fail("the container's record has no 64-digit ID");
  record.id = std::move(*id);
  auto name = text_member(*doc, "Name", "the container's record");
  if (!name) return unexpected(name.error());
  record.name = std::move(*name);
  if (const auto config = doc->find("Config"); config != doc->end() && !config->is_null()) {
    if (!config->is_object()) return fail("the container's Config is not an object");
    if (const auto labels = config->find("Labels"); labels != config->end() && !labels->is_null()) {
      if (!labels->is_object()) return fail("the container's Labels is not an object");
      for (const auto& [key, value] : labels->items()) {
        if (!value.is_string()) return fail("label " + key + " is not a string");
        record.labels.emplace(key, value.get<std::string>());
      }
    }
  }
  const auto points = doc->find("MountPoints");
  if (points == doc->end() || points->is_null()) return record;
  if (!points->is_object()) return fail("the container's MountPoints is not an object");
  for (const auto& [key, point] : points->items()) {
    const std::string where = "mount point " + key;
    if (!point.is_object()) return fail(where + " is not an object");
    MountPoint mount;
    for (const auto& [member, field] : {std::pair{"Destination", &mount.destination}, std::pair{"Type", &mount.type},
                                        std::pair{"Source", &mount.source}, std::pair{"Name", &mount.name},
                                        std::pair{"Driver", &mount.driver}}) {
      auto value = text_member(point, member, where);
      if (!value) return unexpected(value.error());
      *field = std::move(*value);
    }
    if (mount.destination.empty()) mount.destination = key;
    record.mounts.push_back(std::move(mount));
  }
  return record;
}

Result<std::optional<std::string>> volume_host_device(std::string_view opts_json) {
  auto doc = parse_object(opts_json, "the volume's options");
  if (!doc) return unexpected(doc.error());
  auto type = text_member(*doc, "MountType", "the volume's options");
  if (!type) return unexpected(type.error());
  auto device = text_member(*doc, "MountDevice", "the volume's options");
  if (!device) return unexpected(device.error());
  if (*type == "tmpfs") return std::optional<std::string>();
  return std::optional<std::string>(std::move(*device));
}

Result<ContainerRecord> read_container_record(const std::string& data_root, const std::string& id) {
  const std::string path = data_root + "/containers/" + id + "/config.v2.json";
  auto text = sys::read_file(path);
  if (!text) return unexpected(text.error());
  auto record = parse_container_record(*text);
  if (!record) return unexpected(record.error().with_context(path));
  return record;
}

Result<std::optional<ContainerRecord>> find_container(const std::string& data_root, std::string_view name_or_id) {
  if (name_or_id.empty()) return std::optional<ContainerRecord>();
  auto ids = container_ids(data_root);
  if (!ids) return unexpected(ids.error());
  for (const std::string& id : *ids) {
    if (id == name_or_id) return found(read_container_record(data_root, id));
  }
  const std::string wanted = "/" + std::string(name_or_id);
  std::vector<std::string> by_prefix;
  for (const std::string& id : *ids) {
    auto record = read_container_record(data_root, id);
    // A container being removed can vanish between the listing and here.
    if (!record && !exists(data_root + "/containers/" + id)) continue;
    if (!record) return unexpected(record.error());
    if (record->name == wanted) return std::optional<ContainerRecord>(std::move(*record));
    if (id.starts_with(name_or_id)) by_prefix.push_back(id);
  }
  if (by_prefix.size() != 1) return std::optional<ContainerRecord>();  // the engine refuses it
  return found(read_container_record(data_root, by_prefix.front()));
}

Result<std::vector<HostMount>> host_mounts_of(const std::string& data_root, const ContainerRecord& container) {
  std::vector<HostMount> out;
  for (const MountPoint& mount : container.mounts) {
    if (mount.type == "bind") {
      out.push_back({mount.destination, mount.source});
    } else if (mount.type == "volume") {
      if (mount.driver != "local") {
        out.push_back({mount.destination, ""});
        continue;
      }
      if (!is_volume_name(mount.name)) return fail("the volume at " + mount.destination + " has no usable name");
      const std::string opts = data_root + "/volumes/" + mount.name + "/opts.json";
      // A volume created without options is the engine's own storage.
      if (!exists(opts)) continue;
      auto text = sys::read_file(opts);
      if (!text) return unexpected(text.error());
      auto device = volume_host_device(*text);
      if (!device) return unexpected(device.error().with_context(opts));
      if (*device) out.push_back({mount.destination, **device});
    }
  }
  return out;
}

bool is_engine_id(std::string_view text) { return audit::is_sha256_hex(text); }

}  // namespace moat::core::engine
