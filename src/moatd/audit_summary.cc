#include "moatd/audit_summary.h"

#include <nlohmann/json.hpp>

#include "moatd/request_body.h"

namespace moat::moatd {
namespace {

// The summary must fit in one audit line with room for the reason.
constexpr std::size_t kMaxBodyBytes = 8192;

// "NAME=value" -> "NAME=…": which variables were set is policy-relevant,
// their values are not.
void redact_environment(nlohmann::json& body) {
  auto env = body.find("Env");
  if (env == body.end() || !env->is_array()) return;
  for (auto& entry : *env) {
    if (!entry.is_string()) continue;
    const auto text = entry.get<std::string>();
    const auto eq = text.find('=');
    if (eq != std::string::npos) entry = text.substr(0, eq + 1) + "\u2026";
  }
}

// Whether a compact JSON text may hold an environment value to redact: the
// key "Env" with a non-empty array, at any depth (erring towards the full
// path). A quote inside a JSON string is escaped, so these bytes occur only
// where "Env" is a key.
bool may_hold_environment(std::string_view body) {
  constexpr std::string_view kKey = "\"Env\":[";
  for (auto at = body.find(kKey); at != std::string_view::npos; at = body.find(kKey, at + 1)) {
    const auto next = at + kKey.size();
    if (next >= body.size() || body[next] != ']') return true;
  }
  return false;
}

std::string bounded(std::string text) {
  if (text.size() > kMaxBodyBytes) text = text.substr(0, kMaxBodyBytes) + "\u2026 (truncated)";
  return text;
}

}  // namespace

std::string audit_summary(const http::CanonicalRequest& request) {
  std::string out = request.method + " " + request.target();
  if (request.body_streamed) return out + " (streamed body)";
  if (request.body.empty()) return out;
  if (!has_body_schema(request)) return out + " (body " + std::to_string(request.body.size()) + " bytes)";
  // A canonical body is the JSON moatd forwards, written the way the summary
  // would write it: with nothing to redact it is the summary, and parsing it
  // again would cost every request more than the log write. A body moatd
  // refused before making it canonical may be spaced or malformed, so it
  // takes the full path.
  if (request.body_canonical && request.body.front() == '{' && !may_hold_environment(request.body)) {
    return out + " " + bounded(request.body);
  }
  auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return out + " (body " + std::to_string(request.body.size()) + " bytes)";
  redact_environment(body);
  return out + " " + bounded(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::optional<std::string> audited_container(const http::CanonicalRequest& request) {
  const auto& s = request.segments;
  if (s.size() >= 3 && s[0] == "containers") return s[1];
  if (s.size() == 2 && s[0] == "containers" && request.method == "DELETE") return s[1];
  return std::nullopt;
}

}  // namespace moat::moatd
