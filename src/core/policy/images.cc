#include "core/policy/images.h"

namespace moat::core::policy {
namespace {

constexpr const char* kBlockLoad = "blockDockerLoad";

// Fails closed: anything but an explicit false blocks.
bool load_blocked(const PolicyContext& context) {
  const auto& value = context.settings.value(kBlockLoad);
  return !value.is_boolean() || value.get<bool>();
}

Decision blocked(const std::string& command) {
  return Decision::deny("image.load-blocked", kBlockLoad, command + " is blocked",
                        admin_remedy(kBlockLoad, false));
}

}  // namespace

Decision judge_image_load(const ApiRequest& /*request*/, const PolicyContext& context) {
  if (load_blocked(context)) return blocked("docker load");
  return Decision::allow("image.load");
}

Decision judge_image_create(const ApiRequest& request, const PolicyContext& context) {
  // dockerd pulls when the first fromImage is non-empty and imports
  // otherwise; any fromSrc is taken as an import as well (fails closed).
  const std::string* from_image = nullptr;
  bool from_source = false;
  for (const auto& [key, value] : request.query) {
    if (key == "fromImage" && from_image == nullptr) from_image = &value;
    if (key == "fromSrc") from_source = true;
  }
  const bool imports = from_source || from_image == nullptr || from_image->empty();
  if (!imports) return Decision::allow("image.pull");
  if (load_blocked(context)) return blocked("docker import");
  return Decision::allow("image.import");
}

}  // namespace moat::core::policy
