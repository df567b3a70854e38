#include "core/policy/body_fields.h"

#include <optional>

namespace moat::core::policy {
namespace {

using nlohmann::json;

// The member, or nullptr when the object or the member is absent or null.
const json* member(const Fields& fields, const std::string& key) {
  if (fields.object == nullptr) return nullptr;
  const auto it = fields.object->find(key);
  if (it == fields.object->end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

Decision malformed(const std::string& pointer, const std::string& expected) {
  return Decision::deny("request.malformed", "",
                        "the request body member " + pointer + " is not " + expected, "");
}

Result<bool, Decision> Fields::boolean(const std::string& key) const {
  const json* v = member(*this, key);
  if (v == nullptr) return false;
  if (!v->is_boolean()) return unexpected(malformed(pointer(key), "true or false"));
  return v->get<bool>();
}

Result<std::string, Decision> Fields::string(const std::string& key) const {
  const json* v = member(*this, key);
  if (v == nullptr) return std::string();
  if (!v->is_string()) return unexpected(malformed(pointer(key), "a string"));
  return v->get<std::string>();
}

Result<std::int64_t, Decision> Fields::integer(const std::string& key) const {
  const json* v = member(*this, key);
  if (v == nullptr) return std::int64_t{0};
  if (v->is_number_integer() && !v->is_number_unsigned()) return v->get<std::int64_t>();
  if (v->is_number_unsigned() && v->get<std::uint64_t>() <= INT64_MAX) {
    return static_cast<std::int64_t>(v->get<std::uint64_t>());
  }
  return unexpected(malformed(pointer(key), "a 64-bit integer"));
}

Result<std::vector<std::string>, Decision> Fields::strings(const std::string& key) const {
  const json* v = member(*this, key);
  std::vector<std::string> out;
  if (v == nullptr) return out;
  if (v->is_string()) {
    out.push_back(v->get<std::string>());
    return out;
  }
  if (!v->is_array()) return unexpected(malformed(pointer(key), "an array of strings"));
  for (const auto& element : *v) {
    if (!element.is_string()) return unexpected(malformed(pointer(key), "an array of strings"));
    out.push_back(element.get<std::string>());
  }
  return out;
}

Result<const json*, Decision> Fields::array(const std::string& key) const {
  const json* v = member(*this, key);
  if (v == nullptr) return static_cast<const json*>(nullptr);
  if (!v->is_array()) return unexpected(malformed(pointer(key), "an array"));
  return v;
}

Result<Fields, Decision> Fields::object_at(const std::string& key) const {
  const json* v = member(*this, key);
  if (v == nullptr) return Fields{nullptr, pointer(key)};
  if (!v->is_object()) return unexpected(malformed(pointer(key), "an object"));
  return Fields{v, pointer(key)};
}

Result<std::vector<std::pair<std::string, std::string>>, Decision> Fields::string_map(
    const std::string& key) const {
  const json* v = member(*this, key);
  std::vector<std::pair<std::string, std::string>> out;
  if (v == nullptr) return out;
  if (!v->is_object()) return unexpected(malformed(pointer(key), "an object of strings"));
  for (const auto& [name, value] : v->items()) {
    if (!value.is_string()) {
      return unexpected(malformed(pointer(key), "an object of strings"));
    }
    out.emplace_back(name, value.get<std::string>());
  }
  return out;
}

Result<Fields, Decision> body_fields(const std::optional<json>& body) {
  if (!body.has_value() || body->is_null()) return Fields{nullptr, ""};
  if (!body->is_object()) return unexpected(malformed("/", "an object"));
  return Fields{&*body, ""};
}

Result<Fields, Decision> element_object(const json& array, std::size_t index,
                                        const std::string& at) {
  const std::string where = at + "/" + std::to_string(index);
  const json& element = array.at(index);
  if (!element.is_object()) return unexpected(malformed(where, "an object"));
  return Fields{&element, where};
}

}  // namespace moat::core::policy
