#include "core/policy/features.h"

namespace moat::core::policy {
namespace {

bool setting_on(const PolicyContext& context, const char* key) {
  const auto& value = context.settings.value(key);
  return value.is_boolean() && value.get<bool>();
}

}  // namespace

Decision judge_plugins(const ApiRequest& /*request*/, const PolicyContext& context) {
  if (setting_on(context, "moat.allowPlugins")) return Decision::allow("endpoint.plugins");
  return Decision::deny("endpoint.plugins", "moat.allowPlugins",
                        "docker plugin commands are not allowed: a plugin runs with the "
                        "engine's privileges",
                        admin_remedy("moat.allowPlugins", true));
}

Decision judge_swarm(const ApiRequest& /*request*/, const PolicyContext& context) {
  if (setting_on(context, "moat.allowSwarm")) return Decision::allow("endpoint.swarm");
  return Decision::deny("endpoint.swarm", "moat.allowSwarm",
                        "swarm mode (docker swarm, node, service, secret and config commands) "
                        "is not allowed: services start containers that Moat's container rules "
                        "do not judge",
                        admin_remedy("moat.allowSwarm", true));
}

Decision judge_buildkit_grpc(const ApiRequest& /*request*/, const PolicyContext& /*context*/) {
  return Decision::deny("endpoint.buildkit-grpc", "",
                        "BuildKit's gRPC API (POST /grpc, used by docker buildx) is not "
                        "allowed: Moat cannot read the build requests it carries; "
                        "DOCKER_BUILDKIT=0 docker build uses the build API Moat checks",
                        "");
}

}  // namespace moat::core::policy
