#include "core/policy/images.h"

#include "core/policy/registries.h"

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
  // dockerd reads the first of each parameter. It pulls when fromImage is
  // non-empty (tag, possibly a digest, beside it) and imports otherwise; any
  // fromSrc is taken as an import as well (fails closed), so a request with
  // both is judged as a pull and as an import.
  const std::string* from_image = nullptr;
  const std::string* from_source = nullptr;
  const std::string* tag = nullptr;
  for (const auto& [key, value] : request.query) {
    if (key == "fromImage" && from_image == nullptr) from_image = &value;
    if (key == "fromSrc" && from_source == nullptr) from_source = &value;
    if (key == "tag" && tag == nullptr) tag = &value;
  }
  const bool pulls = from_image != nullptr && !from_image->empty();
  const bool imports = from_source != nullptr || !pulls;
  if (imports && load_blocked(context)) return blocked("docker import");
  if (pulls) {
    const Decision d = judge_image_reference(*from_image, tag == nullptr ? "" : *tag,
                                             RegistryAction::kPull, context);
    if (!d.allowed) return d;
  }
  if (!imports) return Decision::allow("image.pull");
  // "-" (or nothing) is the request body; anything else is a URL the engine downloads.
  if (from_source != nullptr && *from_source != "-" && !from_source->empty()) {
    const Decision d = judge_import_url(*from_source, context);
    if (!d.allowed) return d;
  }
  return Decision::allow("image.import");
}

}  // namespace moat::core::policy
