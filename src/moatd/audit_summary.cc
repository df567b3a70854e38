#include "moatd/audit_summary.h"

#include <cstdint>

#include <nlohmann/json.hpp>

#include "core/json/json_string.h"
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

// Whether the summary leaves `value` out as a member: null, false, 0, "",
// [] and objects whose members are all left out.
bool is_zero(const nlohmann::json& value) {
  using Type = nlohmann::json::value_t;
  switch (value.type()) {
    case Type::boolean:
      return !value.get<bool>();
    case Type::number_integer:
      return value.get<std::int64_t>() == 0;
    case Type::number_unsigned:
      return value.get<std::uint64_t>() == 0;
    case Type::number_float:
      return value.get<double>() == 0;
    case Type::string:
      return value.get_ref<const std::string&>().empty();
    case Type::array:
      return value.empty();
    case Type::object:
      for (const auto& [key, member] : value.get_ref<const nlohmann::json::object_t&>()) {
        if (!is_zero(member)) return false;
      }
      return true;
    default:
      return true;
  }
}

// Writes `value`, which is not zero, leaving out object members whose value
// is zero; array elements all stay, so positions keep their meaning, and an
// element that is zero itself is written whole. Written by hand because
// nlohmann only dumps whole documents, and copying the document without its
// zero values first cost more than the shorter line saved (callgrind: 105 k
// instructions per create). Members are tested before their key is written,
// so the many zero members of a create body cost no writing (callgrind: the
// summary of a refused create went from 44 k instructions to 4.5 k).
void append_lean(std::string& out, const nlohmann::json& value, bool top_level = false);

void append_element(std::string& out, const nlohmann::json& element) {
  if (is_zero(element)) {
    out += element.dump();
  } else {
    append_lean(out, element);
  }
}

void append_lean_object(std::string& out, const nlohmann::json& object, bool top_level) {
  out.push_back('{');
  bool first = true;
  for (const auto& [key, member] : object.get_ref<const nlohmann::json::object_t&>()) {
    if (is_zero(member)) continue;
    if (!first) out.push_back(',');
    first = false;
    core::json::append_json_string(out, key);
    out.push_back(':');
    if (top_level && key == "Env" && member.is_array()) {
      nlohmann::json holder = {{"Env", member}};
      redact_environment(holder);
      append_lean(out, holder["Env"]);
    } else {
      append_lean(out, member);
    }
  }
  out.push_back('}');
}

void append_lean(std::string& out, const nlohmann::json& value, bool top_level) {
  using Type = nlohmann::json::value_t;
  switch (value.type()) {
    case Type::boolean:
      out += "true";
      return;
    case Type::number_integer:
      return core::json::append_decimal(out, value.get<std::int64_t>());
    case Type::number_unsigned:
      return core::json::append_decimal(out, value.get<std::uint64_t>());
    case Type::string:
      return core::json::append_json_string(out, value.get_ref<const std::string&>());
    case Type::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : value) {
        if (!first) out.push_back(',');
        first = false;
        append_element(out, element);
      }
      out.push_back(']');
      return;
    }
    case Type::object:
      return append_lean_object(out, value, top_level);
    default:
      out += value.dump();  // floats: nlohmann's own spelling
      return;
  }
}

// "GET /v1.41/_ping": the whole summary of most requests, so it is built
// in one string (callgrind, /_ping: 778 instructions as sums of
// temporaries, 467 so).
std::string method_and_target(const http::CanonicalRequest& request) {
  std::string out;
  out.reserve(request.method.size() + 64);
  out.append(request.method);
  out.push_back(' ');
  request.append_target(out);
  return out;
}

}  // namespace

std::string audit_summary(const http::CanonicalRequest& request, const nlohmann::json& canonical_body) {
  if (request.body_streamed || request.body.empty() || !has_body_schema(request) || !canonical_body.is_object()) {
    return audit_summary(request);
  }
  std::string out = method_and_target(request);
  out.push_back(' ');
  std::string shown;
  shown.reserve(request.body.size() / 2);
  if (is_zero(canonical_body)) {
    shown = "{}";
  } else {
    append_lean(shown, canonical_body, true);
  }
  return out + bounded(std::move(shown));
}

std::string audit_summary(const http::CanonicalRequest& request) {
  std::string out = method_and_target(request);
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
