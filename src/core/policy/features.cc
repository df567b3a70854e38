#include "core/policy/features.h"

#include <string>
#include <string_view>

#include "core/policy/endpoints.h"
#include "core/policy/registries.h"

namespace moat::core::policy {
namespace {

std::string_view first_query(const ApiRequest& request, std::string_view key) {
  for (const auto& [k, value] : request.query) {
    if (k == key) return value;
  }
  return {};
}

// The plugin routes that reach a registry (moat.registryAccess): pull,
// privileges and upgrade fetch the plugin named by `remote`; push sends the
// plugin named in the path. The rest stay on this engine. The engine resolves
// a pushed plugin's name in its own store, where an ID prefix also names a
// plugin; the check sees only the name as written.
Decision judge_plugin_registry(const ApiRequest& request, const PolicyContext& context) {
  const auto& s = request.segments;
  const bool fetches = (request.method == "POST" && pattern_matches("plugins/pull", s)) ||
                       (request.method == "GET" && pattern_matches("plugins/privileges", s)) ||
                       (request.method == "POST" && pattern_matches("plugins/+/upgrade", s));
  if (fetches) {
    return judge_image_reference(first_query(request, "remote"), "", RegistryAction::kPull,
                                 context);
  }
  if (request.method == "POST" && pattern_matches("plugins/+/push", s)) {
    std::string name;
    for (std::size_t i = 1; i + 1 < s.size(); ++i) name += (i > 1 ? "/" : "") + s[i];
    return judge_image_reference(name, "", RegistryAction::kPush, context);
  }
  return Decision::allow("endpoint.plugins");
}

}  // namespace

Decision judge_plugins(const ApiRequest& request, const PolicyContext& context) {
  if (context.setting_on("moat.allowPlugins")) {
    const Decision d = judge_plugin_registry(request, context);
    if (!d.allowed) return d;
    return Decision::allow("endpoint.plugins");
  }
  Decision refused = Decision::deny("endpoint.plugins", "moat.allowPlugins",
                                     "docker plugin commands are not allowed: a plugin runs with the "
                                     "engine's privileges",
                                     admin_remedy("moat.allowPlugins", true));
  // `docker inspect NAME` asks for a plugin NAME once it found no container,
  // image, volume or network of that name.
  refused.answered_as_not_found = request.method == "GET" && pattern_matches("plugins/+/json", request.segments);
  return refused;
}

Decision judge_swarm(const ApiRequest& /*request*/, const PolicyContext& context) {
  if (context.setting_on("moat.allowSwarm")) return Decision::allow("endpoint.swarm");
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
