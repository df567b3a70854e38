#pragma once
// Typed reads of request body members for the rules. The body is canonical
// when it comes from moatd, but the policy does not rely on that for its own
// safety: a member of an unexpected JSON type is a refusal
// ("request.malformed"), never a guess. Absent and null read as "not set".

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/policy/decision.h"
#include "core/result/result.h"

namespace moat::core::policy {

// A JSON object and its JSON pointer, for messages ("/HostConfig").
struct Fields {
  const nlohmann::json* object = nullptr;  // nullptr: the object is absent or null
  std::string at;

  bool present() const { return object != nullptr; }
  std::string pointer(const std::string& key) const { return at + "/" + key; }

  Result<bool, Decision> boolean(const std::string& key) const;          // absent: false
  Result<std::string, Decision> string(const std::string& key) const;    // absent: ""
  Result<std::int64_t, Decision> integer(const std::string& key) const;  // absent: 0
  // An array of strings, or one string (Go's strslice.StrSlice). Absent: {}.
  Result<std::vector<std::string>, Decision> strings(const std::string& key) const;
  // Absent or null: nothing; otherwise the array.
  Result<const nlohmann::json*, Decision> array(const std::string& key) const;
  // A nested object; absent or null: Fields with object == nullptr.
  Result<Fields, Decision> object_at(const std::string& key) const;
  // An object of strings (Labels, Sysctls, DriverOpts), in key order.
  Result<std::vector<std::pair<std::string, std::string>>, Decision> string_map(
      const std::string& key) const;
};

// The root of a body: an object, absent/null (no fields), or a refusal.
Result<Fields, Decision> body_fields(const std::optional<nlohmann::json>& body);

// Element `index` of an array at `at` as an object.
Result<Fields, Decision> element_object(const nlohmann::json& array, std::size_t index,
                                        const std::string& at);

Decision malformed(const std::string& pointer, const std::string& expected);

}  // namespace moat::core::policy
