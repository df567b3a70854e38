#include "cli/stack_probe.h"

#include <ctime>

#include "core/json/strict_json.h"
#include "core/net/unix_http_client.h"

namespace moat::cli {

using core::net::unix_http_request;

bool engine_answers(const core::stack::Layout& layout) {
  const auto r = unix_http_request(layout.engine_socket(), "GET", "/_ping", {}, std::chrono::seconds(2));
  return r && r->status == 200;
}

std::optional<std::string> engine_version(const core::stack::Layout& layout) {
  const auto r = unix_http_request(layout.engine_socket(), "GET", "/version", {}, std::chrono::seconds(5));
  if (!r || r->status != 200) return std::nullopt;
  const auto doc = core::json::parse_strict(r->body);
  if (!doc || !doc->value.is_object() || !doc->value.contains("Version")) return std::nullopt;
  return doc->value["Version"].get<std::string>();
}

std::optional<nlohmann::json> moatd_status(const core::stack::Layout& layout) {
  const auto r = unix_http_request(layout.control_socket(), "GET", "/status", {}, std::chrono::seconds(5));
  if (!r || r->status != 200) return std::nullopt;
  auto doc = core::json::parse_strict(r->body);
  if (!doc) return std::nullopt;
  return std::move(doc->value);
}

std::string now_rfc3339() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace moat::cli
