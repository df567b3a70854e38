#include "runtime/idmap/container_owner.h"

#include <nlohmann/json.hpp>

#include "core/sys/read_file.h"

namespace moat::runtime::idmap {

std::optional<std::string> owner_label_in_engine_config(std::string_view config_v2) {
  // The engine's own file, read without exceptions: a shape it never writes
  // means no owner, not a failed create.
  const auto doc = nlohmann::json::parse(config_v2, nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  const auto config = doc.find("Config");
  if (config == doc.end() || !config->is_object()) return std::nullopt;
  const auto labels = config->find("Labels");
  if (labels == config->end() || !labels->is_object()) return std::nullopt;
  const auto label = labels->find(core::trust::kOwnerLabel);
  if (label == labels->end() || !label->is_string()) return std::nullopt;
  return label->get<std::string>();
}

IdMapping owner_mapping(const core::trust::ContainerOwner& owner, std::uint32_t host_root) {
  const std::string root = " " + std::to_string(host_root) + " 1\n";
  return {std::to_string(owner.uid) + root, std::to_string(owner.gid) + root};
}

OwnerLookup find_container_owner(const std::string& engine_data_root, const std::string& container_id,
                                 const std::string& seals_dir) {
  const std::string record = engine_data_root + "/containers/" + container_id + "/config.v2.json";
  auto text = core::sys::read_file(record);
  if (!text) return {};
  const auto label = owner_label_in_engine_config(*text);
  if (!label) return {};
  auto owner = core::trust::OwnerSeals(seals_dir).owner_from(*label);
  if (!owner) return {std::nullopt, owner.error().message};
  return {*owner, ""};
}

}  // namespace moat::runtime::idmap
