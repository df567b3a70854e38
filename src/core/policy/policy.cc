#include "core/policy/policy.h"

#include <exception>

namespace moat::core::policy {
namespace {

constexpr std::size_t kMaxShownPath = 200;

std::string shown_path(const std::vector<std::string>& segments) {
  std::string path;
  for (const auto& segment : segments) path += "/" + segment;
  if (path.empty()) path = "/";
  if (path.size() > kMaxShownPath) path = path.substr(0, kMaxShownPath) + "...";
  return path;
}

Decision internal_error(const std::string& what) {
  return Decision::deny(std::string(kInternalErrorRule), "",
                        "the policy could not judge this request (" + what + ")", "");
}

Decision judge(const ApiRequest& request, const PolicyContext& context) {
  const Endpoint* endpoint = find_endpoint(request.method, request.segments);
  if (endpoint == nullptr) {
    return Decision::deny("endpoint.unknown", "",
                          request.method + " " + shown_path(request.segments) +
                              " is not an endpoint Moat knows",
                          "");
  }
  if (endpoint->body == BodyKind::kNone && request.body.has_value() && !request.body->is_null()) {
    // Old engines still read a HostConfig sent with start; nothing may ride along.
    return Decision::deny("endpoint.unexpected-body", "",
                          request.method + " " + shown_path(request.segments) +
                              " with a request body is not allowed: this endpoint takes none",
                          "");
  }
  if (endpoint->judge == nullptr) return Decision::allow(std::string(endpoint->rule));
  return endpoint->judge(request, context);
}

}  // namespace

Decision decide(const ApiRequest& request, const PolicyContext& context) {
  try {
    Decision d = judge(request, context);
    if (!d.allowed && (d.rule.empty() || d.reason.empty())) {
      return internal_error("a refusal without its rule or reason");
    }
    return d;
  } catch (const std::exception& e) {
    return internal_error(e.what());
  } catch (...) {
    return internal_error("unknown failure");
  }
}

}  // namespace moat::core::policy
