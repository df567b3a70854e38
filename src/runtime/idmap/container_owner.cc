#include "runtime/idmap/container_owner.h"

#include "core/engine/container_record.h"

namespace moat::runtime::idmap {

IdMapping owner_mapping(const core::trust::ContainerOwner& owner, std::uint32_t host_root) {
  const std::string root = " " + std::to_string(host_root) + " 1\n";
  return {std::to_string(owner.uid) + root, std::to_string(owner.gid) + root};
}

OwnerLookup find_container_owner(const std::string& engine_data_root, const std::string& container_id,
                                 const std::string& seals_dir) {
  // No record: not an engine container (a builder's step).
  const auto container = core::engine::read_container_record(engine_data_root, container_id);
  if (!container) return {};
  const auto label = core::trust::owner_label_in(container->labels);
  if (!label) return {};
  auto owner = core::trust::OwnerSeals(seals_dir).owner_from(*label);
  if (!owner) return {std::nullopt, owner.error().message};
  return {*owner, ""};
}

}  // namespace moat::runtime::idmap
