#include "moatd/request_body.h"

#include "core/json/strict_json.h"
#include "core/policy/endpoints.h"
#include "moatd/http/docker_api_v141.h"
#include "moatd/http/go_json.h"

namespace moat::moatd {
namespace {

namespace api = http::docker_api_v141;
namespace policy = core::policy;

// The engine's Go type for a route's body; nullptr when Moat has none.
const http::go_json::Type* schema_for(const http::CanonicalRequest& r) {
  const auto& s = r.segments;
  if (r.method != "POST") return nullptr;
  if (s.size() == 2 && s[0] == "containers" && s[1] == "create") return &api::container_create();
  if (s.size() == 2 && s[0] == "volumes" && s[1] == "create") return &api::volume_create();
  if (s.size() == 2 && s[0] == "networks" && s[1] == "create") return &api::network_create();
  if (s.size() == 3 && s[0] == "containers" && s[2] == "update") return &api::container_update();
  if (s.size() == 3 && s[0] == "containers" && s[2] == "exec") return &api::exec_create();
  if (s.size() == 3 && s[0] == "exec" && s[2] == "start") return &api::exec_start();
  return nullptr;
}

BodyRefusal not_canonical(const http::CanonicalRequest& r, const std::string& why) {
  return {"request.body-not-canonical",
          "Moat refused the body of " + r.method + " " + r.path() + ": " + why +
              ". Send the JSON the Docker Engine API documents, with each field's exact name once."};
}

}  // namespace

bool has_body_schema(const http::CanonicalRequest& request) { return schema_for(request) != nullptr; }

Result<std::optional<nlohmann::json>, BodyRefusal> canonicalize_request_body(http::CanonicalRequest& request) {
  if (request.body_streamed) return std::optional<nlohmann::json>();
  const policy::Endpoint* endpoint = policy::find_endpoint(request.method, request.segments);
  if (endpoint == nullptr) return std::optional<nlohmann::json>();
  if (request.body.empty()) {
    // The policy would read an absent body as an empty one; what the engine
    // makes of it is its own business. Refuse instead of guessing.
    if (schema_for(request) == nullptr) return std::optional<nlohmann::json>();
    return unexpected(BodyRefusal{"request.body-missing", "Moat refused " + request.method + " " +
                                                               request.path() +
                                                               ": it needs a JSON body, and this request has none"});
  }
  if (endpoint->body == policy::BodyKind::kNone) {
    return unexpected(BodyRefusal{"request.unexpected-body",
                                  "Moat refused " + request.method + " " + request.path() +
                                      ": this endpoint takes no body, and this request carries " +
                                      std::to_string(request.body.size()) + " bytes"});
  }
  if (endpoint->body != policy::BodyKind::kJson) return std::optional<nlohmann::json>();

  auto parsed = core::json::parse_strict(request.body);
  if (!parsed) {
    const auto& e = parsed.error();
    return unexpected(not_canonical(request, "it is not strict JSON (" + e.message + " at line " +
                                                 std::to_string(e.where.line) + ", column " +
                                                 std::to_string(e.where.column) + ")"));
  }
  nlohmann::json value = std::move(parsed->value);
  if (const auto* schema = schema_for(request)) {
    auto canonical = http::go_json::canonicalize(value, *schema);
    if (!canonical) {
      return unexpected(not_canonical(request, canonical.error().message));
    }
    value = std::move(*canonical);
  }
  if (auto written = write_canonical_body(request, value); !written) return unexpected(written.error());
  return std::optional<nlohmann::json>(std::move(value));
}

Result<void, BodyRefusal> write_canonical_body(http::CanonicalRequest& request, const nlohmann::json& body) {
  try {
    request.body = body.dump();
    request.body_canonical = true;
  } catch (const nlohmann::json::exception& e) {
    return unexpected(not_canonical(request, std::string("it cannot be written back as JSON: ") + e.what()));
  }
  request.framing = http::BodyFraming::kContentLength;
  request.content_length = request.body.size();
  return {};
}

}  // namespace moat::moatd
