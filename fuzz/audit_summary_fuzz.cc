// Differential fuzzing of the hand-written lean body summary against the same
// rules applied with nlohmann: members whose value is zero (null, false, 0,
// "", [], objects with nothing left) are left out, array elements all stay
// (a zero one whole), top-level environment values are redacted, and the
// text is bounded.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "moatd/audit_summary.h"

namespace {

using Json = nlohmann::json;

std::optional<Json> lean(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: {
      Json out = Json::object();
      for (const auto& [key, member] : value.items()) {
        if (auto kept = lean(member)) out[key] = std::move(*kept);
      }
      if (out.empty()) return std::nullopt;
      return out;
    }
    case Json::value_t::array: {
      if (value.empty()) return std::nullopt;
      Json out = Json::array();
      for (const auto& element : value) out.push_back(lean(element).value_or(element));
      return out;
    }
    case Json::value_t::string:
      if (value.get_ref<const std::string&>().empty()) return std::nullopt;
      return value;
    case Json::value_t::boolean:
      if (!value.get<bool>()) return std::nullopt;
      return value;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      if (value == 0) return std::nullopt;
      return value;
    default:
      return std::nullopt;
  }
}

std::string expected_summary(Json body) {
  if (auto env = body.find("Env"); env != body.end() && env->is_array()) {
    for (auto& entry : *env) {
      if (!entry.is_string()) continue;
      const auto text = entry.get<std::string>();
      if (const auto eq = text.find('='); eq != std::string::npos) entry = text.substr(0, eq + 1) + "\u2026";
    }
  }
  const auto kept = lean(body);
  std::string shown = kept ? kept->dump() : "{}";
  if (shown.size() > 8192) shown = shown.substr(0, 8192) + "\u2026 (truncated)";
  return "POST /v1.41/containers/create " + shown;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const Json body = Json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return 0;
  moat::moatd::http::CanonicalRequest request;
  request.method = "POST";
  request.api_version = moat::moatd::http::ApiVersion{1, 41};
  request.segments = {"containers", "create"};
  request.body = body.dump();
  request.body_canonical = true;
  if (moat::moatd::audit_summary(request, body) != expected_summary(body)) __builtin_trap();
  return 0;
}
