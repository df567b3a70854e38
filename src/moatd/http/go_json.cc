#include "moatd/http/go_json.h"

#include <cstdint>
#include <limits>
#include <map>
#include <optional>

#include "core/json/strict_json.h"

namespace moat::moatd::http::go_json {
namespace {

using nlohmann::json;

std::shared_ptr<Type> make(Kind kind, std::string name, bool nullable) {
  auto t = std::make_shared<Type>();
  t->kind = kind;
  t->name = std::move(name);
  t->nullable = nullable;
  return t;
}

// Decodes one UTF-8 sequence (input already validated by parse_strict).
char32_t next_rune(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int extra = b0 >= 0xF0 ? 3 : b0 >= 0xE0 ? 2 : 1;
  char32_t r = b0 & (0x3F >> extra);
  ++i;
  while (extra-- > 0 && i < s.size()) {
    r = (r << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
    ++i;
  }
  return r;
}

char32_t ascii_upper(char32_t c) { return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c; }

std::string where(const std::string& pointer) {
  return pointer.empty() ? "the top level" : pointer;
}

std::string what(const std::string& pointer) { return pointer.empty() ? "the body" : pointer; }

std::string describe(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "the integer " + v.dump();
    case json::value_t::number_float:
      return "the number " + v.dump();
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "a non-JSON value";
  }
}

Unexpected<GoJsonError> error(const std::string& pointer, std::string message) {
  return moat::unexpected(GoJsonError{std::move(message), pointer});
}

Unexpected<GoJsonError> wrong_type(const std::string& pointer, std::string_view expected,
                                   const json& got) {
  return error(pointer, what(pointer) + " must be " + std::string(expected) + ", got " +
                            describe(got));
}

Result<json, GoJsonError> integer(const json& v, const std::string& pointer, std::int64_t min,
                                  std::uint64_t max, std::string_view go_type) {
  const std::string range = "an integer (Go " + std::string(go_type) + ", " +
                            std::to_string(min) + " to " + std::to_string(max) + ")";
  if (v.is_number_unsigned()) {
    if (v.get<std::uint64_t>() > max) return wrong_type(pointer, range, v);
    return v;
  }
  if (v.is_number_integer()) {
    if (v.get<std::int64_t>() < min) return wrong_type(pointer, range, v);
    // Non-negative values below max are fine; normalise to unsigned storage.
    return v;
  }
  return wrong_type(pointer, range, v);
}

Result<json, GoJsonError> convert(const json& v, const Type& type, const std::string& pointer);

Result<json, GoJsonError> convert_struct(const json& v, const Type& type,
                                         const std::string& pointer) {
  if (!v.is_object()) return wrong_type(pointer, "an object (" + type.name + ")", v);
  // Which keys land on which field, under Go's matching.
  std::map<std::size_t, std::vector<std::string>> by_field;
  for (const auto& [key, value] : v.items()) {
    std::optional<std::size_t> match;
    for (std::size_t f = 0; f < type.fields.size() && !match; ++f) {
      if (type.fields[f].name == key) match = f;
    }
    for (std::size_t f = 0; f < type.fields.size() && !match; ++f) {
      if (go_fold_equal(key, type.fields[f].name)) match = f;
    }
    const std::string child = pointer + "/" + core::json::pointer_token(key);
    if (!match) {
      return error(child, "unknown key \"" + key + "\" at " + where(pointer) + ": " + type.name +
                              " has no such field in Docker Engine API v1.41, so the policy "
                              "cannot judge it; remove it");
    }
    by_field[*match].push_back(key);
  }
  for (const auto& [f, keys] : by_field) {
    const std::string& name = type.fields[f].name;
    if (keys.size() > 1) {
      std::string list;
      for (std::size_t i = 0; i < keys.size(); ++i) {
        list += (i == 0 ? "" : i + 1 == keys.size() ? " and " : ", ") + ("\"" + keys[i] + "\"");
      }
      return error(pointer + "/" + core::json::pointer_token(keys.back()),
                   "keys " + list + " at " + where(pointer) + " all set field \"" + name +
                       "\" under Go's case-insensitive matching (dockerd keeps the last); "
                       "send it once as \"" + name + "\"");
    }
    if (keys.front() != name) {
      return error(pointer + "/" + core::json::pointer_token(keys.front()),
                   "key \"" + keys.front() + "\" at " + where(pointer) + " matches field \"" +
                       name + "\" only under Go's case-insensitive matching; send the exact name \"" +
                       name + "\"");
    }
  }
  json out = json::object();
  for (const auto& [f, keys] : by_field) {
    const Field& field = type.fields[f];
    const json& value = v.at(keys.front());
    if (value.is_null() && !field.type->nullable) continue;  // Go: zero value, as if absent
    auto converted = convert(value, *field.type, pointer + "/" + core::json::pointer_token(field.name));
    if (!converted) return converted;
    out[field.name] = std::move(*converted);
  }
  return out;
}

Result<json, GoJsonError> convert_elements(const json& v, const Type& type,
                                           const std::string& pointer) {
  json out = json::array();
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string child = pointer + "/" + std::to_string(i);
    if (v[i].is_null()) {
      return error(child, child + " is null; Go would store a zero value there, send the value "
                                  "itself");
    }
    auto converted = convert(v[i], *type.element, child);
    if (!converted) return converted;
    out.push_back(std::move(*converted));
  }
  return out;
}

Result<json, GoJsonError> convert(const json& v, const Type& type, const std::string& pointer) {
  if (v.is_null()) {
    if (type.nullable) return json(nullptr);
    return wrong_type(pointer, "a value", v);
  }
  switch (type.kind) {
    case Kind::kBool:
      if (!v.is_boolean()) return wrong_type(pointer, "a boolean", v);
      return v;
    case Kind::kString:
      if (!v.is_string()) return wrong_type(pointer, "a string", v);
      return v;
    case Kind::kInt64:
      return integer(v, pointer, std::numeric_limits<std::int64_t>::min(),
                     static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()), "int64");
    case Kind::kUint64:
      return integer(v, pointer, 0, std::numeric_limits<std::uint64_t>::max(), "uint64");
    case Kind::kUint32:
      return integer(v, pointer, 0, std::numeric_limits<std::uint32_t>::max(), "uint32");
    case Kind::kUint16:
      return integer(v, pointer, 0, std::numeric_limits<std::uint16_t>::max(), "uint16");
    case Kind::kStruct:
      return convert_struct(v, type, pointer);
    case Kind::kSlice:
      if (!v.is_array()) return wrong_type(pointer, "an array", v);
      return convert_elements(v, type, pointer);
    case Kind::kArray:
      if (!v.is_array() || v.size() != type.length) {
        return wrong_type(pointer, "an array of exactly " + std::to_string(type.length) + " elements",
                          v);
      }
      return convert_elements(v, type, pointer);
    case Kind::kStrSlice:
      if (v.is_string()) return json::array({v});
      if (!v.is_array()) return wrong_type(pointer, "a string or an array of strings", v);
      return convert_elements(v, type, pointer);
    case Kind::kMap: {
      if (!v.is_object()) return wrong_type(pointer, "an object", v);
      json out = json::object();
      for (const auto& [key, value] : v.items()) {
        const std::string child = pointer + "/" + core::json::pointer_token(key);
        if (value.is_null()) {
          return error(child, child + " is null; Go would store a zero value there, send the "
                                      "value itself");
        }
        auto converted = convert(value, *type.element, child);
        if (!converted) return converted;
        out[key] = std::move(*converted);
      }
      return out;
    }
  }
  return wrong_type(pointer, "a known type", v);
}

}  // namespace

TypePtr boolean() { return make(Kind::kBool, "bool", false); }
TypePtr string() { return make(Kind::kString, "string", false); }
TypePtr int64() { return make(Kind::kInt64, "int64", false); }
TypePtr uint64() { return make(Kind::kUint64, "uint64", false); }
TypePtr uint32() { return make(Kind::kUint32, "uint32", false); }
TypePtr uint16() { return make(Kind::kUint16, "uint16", false); }

TypePtr str_slice() {
  auto t = make(Kind::kStrSlice, "StrSlice", true);
  t->element = string();
  return t;
}

TypePtr pointer(TypePtr type) {
  auto t = std::make_shared<Type>(*type);
  t->nullable = true;
  return t;
}

TypePtr slice(TypePtr element) {
  auto t = make(Kind::kSlice, "[]" + element->name, true);
  t->element = std::move(element);
  return t;
}

TypePtr array(TypePtr element, std::size_t length) {
  auto t = make(Kind::kArray, "[" + std::to_string(length) + "]" + element->name, false);
  t->element = std::move(element);
  t->length = length;
  return t;
}

TypePtr map_of(TypePtr element) {
  auto t = make(Kind::kMap, "map[string]" + element->name, true);
  t->element = std::move(element);
  return t;
}

TypePtr structure(std::string name, std::vector<Field> fields) {
  auto t = make(Kind::kStruct, std::move(name), false);
  t->fields = std::move(fields);
  return t;
}

TypePtr empty_struct() { return structure("struct{}", {}); }

std::vector<Field> concat(std::vector<Field> a, const std::vector<Field>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

bool go_fold_equal(std::string_view key, std::string_view field_name) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < key.size() && j < field_name.size()) {
    const char32_t k = next_rune(key, i);
    const char32_t f = ascii_upper(static_cast<unsigned char>(field_name[j++]));
    // Go folds each rune to the smallest of its simple-fold orbit; the only
    // non-ASCII runes whose orbit holds an ASCII letter are these two.
    const char32_t folded = k == 0x017F ? U'S' : k == 0x212A ? U'K' : ascii_upper(k);
    if (folded != f) return false;
  }
  return i == key.size() && j == field_name.size();
}

Result<nlohmann::json, GoJsonError> canonicalize(const nlohmann::json& value, const Type& type) {
  if (value.is_null()) return wrong_type("", "a JSON object (" + type.name + ")", value);
  return convert(value, type, "");
}

Result<std::string, GoJsonError> canonical_body(std::string_view body, const Type& type) {
  auto parsed = core::json::parse_strict(body);
  if (!parsed) {
    const auto& e = parsed.error();
    return moat::unexpected(GoJsonError{"body is not strict JSON: " + e.message + " at line " +
                                            std::to_string(e.where.line) + ", column " +
                                            std::to_string(e.where.column),
                                        ""});
  }
  auto canonical = canonicalize(parsed->value, type);
  if (!canonical) return moat::unexpected(std::move(canonical).error());
  try {
    return canonical->dump();
  } catch (const nlohmann::json::exception& e) {
    return moat::unexpected(GoJsonError{std::string("cannot serialise the body: ") + e.what(), ""});
  }
}

}  // namespace moat::moatd::http::go_json
