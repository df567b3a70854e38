#include "core/policy/build.h"

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/image/build_context.h"
#include "core/image/dockerfile_sources.h"
#include "core/policy/host_resources.h"
#include "core/policy/registries.h"

namespace moat::core::policy {
namespace {

constexpr const char* kRegistrySetting = "moat.registryAccess";

Decision unreadable(const std::string& why) {
  return Decision::deny("build.dockerfile-unreadable", kRegistrySetting,
                        "docker build is not allowed: " + why +
                            ", and while moat.registryAccess is on Moat must read the Dockerfile to check "
                            "which registries the build pulls from",
                        "");
}

// The one value of a query parameter; several different ones are
// ambiguous (the engine reads the first, a proxy might read another).
Result<std::optional<std::string_view>> single_query_value(const ApiRequest& request, std::string_view key) {
  std::optional<std::string_view> found;
  for (const auto& [k, v] : request.query) {
    if (k != key) continue;
    if (found && *found != v) return fail("the request gives " + std::string(key) + " more than once");
    found = v;
  }
  return found;
}

// buildargs={"NAME":"value","OTHER":null}
Result<image::BuildArgs> build_args_of(std::optional<std::string_view> text) {
  image::BuildArgs args;
  if (!text || text->empty()) return args;
  const auto parsed = nlohmann::json::parse(*text, nullptr, false);
  if (!parsed.is_object()) return fail("its buildargs parameter is not a JSON object");
  for (const auto& [name, value] : parsed.items()) {
    if (value.is_null()) {
      args[name] = std::nullopt;
    } else if (value.is_string()) {
      args[name] = value.get<std::string>();
    } else {
      return fail("build argument " + name + " is not a string");
    }
  }
  return args;
}

Decision judge_dockerfile(const ApiRequest& request, const PolicyContext& context) {
  const auto version = single_query_value(request, "version");
  if (!version) return unreadable(version.error().message);
  if (*version && **version == "2") {
    return Decision::deny("build.buildkit-unchecked", kRegistrySetting,
                          "docker build with BuildKit is not allowed while moat.registryAccess is on: BuildKit "
                          "fetches the Dockerfile over its own session, so Moat cannot check which registries "
                          "it pulls from; build with DOCKER_BUILDKIT=0",
                          "");
  }
  if (!request.archive) return unreadable("moatd did not read this build's context");
  const auto dockerfile_name = single_query_value(request, "dockerfile");
  if (!dockerfile_name) return unreadable(dockerfile_name.error().message);
  const auto args_text = single_query_value(request, "buildargs");
  if (!args_text) return unreadable(args_text.error().message);
  const auto args = build_args_of(*args_text);
  if (!args) return unreadable(args.error().message);

  const auto dockerfile = image::dockerfile_from_context(*request.archive, dockerfile_name->value_or(""));
  if (!dockerfile) return unreadable(dockerfile.error().message);
  const auto sources = image::dockerfile_sources(*dockerfile, *args);
  if (!sources) return unreadable(sources.error().message);

  for (const image::BuildSource& source : *sources) {
    Decision d = source.kind == image::BuildSource::Kind::kImage
                     ? judge_image_reference(source.value, "", RegistryAction::kPull, context)
                     : judge_import_url(source.value, context);
    if (d.allowed) continue;
    d.reason = "docker build: Dockerfile line " + std::to_string(source.line) + " (" + source.instruction + " " +
               source.value + "): " + d.reason;
    return d;
  }
  return Decision::allow("build");
}

}  // namespace

bool build_context_must_be_read(const PolicyContext& context) { return registry_access_restricted(context); }

Decision judge_build(const ApiRequest& request, const PolicyContext& context) {
  for (const auto& [key, value] : request.query) {
    if (key == "networkmode") {
      if (value == "host") {
        return Decision::deny("build.network-host", "",
                              "docker build --network=host is not allowed: build steps would "
                              "share the host's network namespace",
                              "");
      }
      if (value.starts_with("container:")) {
        return Decision::deny("build.network-host", "",
                              "docker build --network=" + value +
                                  " is not allowed: build steps would join another container's "
                                  "network namespace",
                              "");
      }
    } else if (key == "remote" && !value.empty() && value != "client-session") {
      return Decision::deny("build.remote", "",
                            "docker build from " + value +
                                " is not allowed: the engine would fetch a build context Moat "
                                "cannot check; fetch it first and build from a local directory",
                            "");
    } else if (key == "cgroupparent") {
      const std::string subject = "docker build --cgroup-parent " + value;
      if (const Decision d = judge_cgroup_parent(value, subject); !d.allowed) return d;
    }
  }
  if (build_context_must_be_read(context)) return judge_dockerfile(request, context);
  return Decision::allow("build");
}

}  // namespace moat::core::policy
