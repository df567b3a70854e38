#include "moatd/owner_label.h"

namespace moat::moatd {

bool creates_container(const http::CanonicalRequest& request) {
  return request.method == "POST" && request.segments.size() == 2 && request.segments[0] == "containers" &&
         request.segments[1] == "create";
}

Result<void> set_owner_label(nlohmann::json& create_body, const PeerCredentials& caller,
                             const core::trust::OwnerSeals* seals) {
  if (!create_body.is_object()) return {};
  const auto set_label = [&create_body](std::string value) {
    const auto labels = create_body.find("Labels");
    if (labels == create_body.end() || !labels->is_object()) create_body["Labels"] = nlohmann::json::object();
    create_body["Labels"][core::trust::kOwnerLabel] = std::move(value);
  };
  // An unknown peer reads as uid_t(-1), which unnameable() refuses too.
  if (seals == nullptr || core::trust::unnameable({caller.uid, caller.gid})) {
    set_label(std::string(core::trust::kNoOwner));
    return {};
  }
  auto label = seals->label_for({caller.uid, caller.gid});
  if (!label) {
    set_label(std::string(core::trust::kNoOwner));
    return unexpected(label.error());
  }
  set_label(std::move(*label));
  return {};
}

}  // namespace moat::moatd
