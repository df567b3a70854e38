#pragma once
// Go-JSON canonicalisation: makes a request body mean one thing to the
// policy and to dockerd, which decodes it with Go's encoding/json (v1).
//
// encoding/json matches object keys to struct fields case-insensitively,
// folding U+017F (long s) to 's' and U+212A (Kelvin sign) to 'k'; when several
// keys land on one field the last one wins; unknown keys are ignored. A
// policy that reads "Privileged" while dockerd also honours "privileged" or
// "PrivilegeD" can be bypassed. So, for a body already parsed with
// moat::core::json::parse_strict (which refuses exact duplicate keys,
// trailing bytes and bad UTF-8) and a description of the Go type dockerd
// decodes it into, canonicalize():
// - refuses a key that names a field only under Go's folding (send the exact
//   name); two keys that fold to one field are refused first, naming both;
// - refuses keys unknown to the type: nothing reaches the engine that the
//   policy did not read, so the schemas must be complete (docker_api_v141.h);
// - refuses values of the wrong JSON type or out of the Go integer range
//   (dockerd would reject them anyway; the policy never has to guess);
// - map keys (Labels, Sysctls, DriverOpts, ...) are data: matched exactly,
//   never folded;
// - null: kept where Go stores it distinctly (pointer, slice, map); dropped
//   for a plain value (Go leaves the zero value, the same as absence);
//   refused inside arrays and as map values (Go would store a zero value
//   there, which a reader of the JSON could take differently);
// - strslice.StrSlice ("Cmd", "Entrypoint", "CapAdd", ...) accepts a string
//   or an array of strings like Go's; a string becomes a one-element array;
// and returns the canonical value: exact field names only, to be serialised
// with dump() and forwarded with its own Content-Length.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result/result.h"

namespace moat::moatd::http::go_json {

enum class Kind {
  kBool,
  kString,
  kInt64,   // Go int and int64 (amd64/arm64: int is 64 bits)
  kUint64,  // Go uint and uint64
  kUint32,  // os.FileMode
  kUint16,
  kStruct,
  kSlice,
  kArray,     // fixed-length Go array ([2]uint)
  kMap,       // map[string]T: keys are data, matched exactly
  kStrSlice,  // strslice.StrSlice: string or array of strings
};

struct Type;
using TypePtr = std::shared_ptr<const Type>;

struct Field {
  std::string name;  // the JSON name dockerd's struct uses (tag or Go name)
  TypePtr type;
  // Empty for a field of API v1.41; otherwise the API version that added it
  // (a field newer clients send and dockerd 20.10 ignores).
  std::string since;
};

struct Type {
  Kind kind = Kind::kString;
  std::string name;       // Go type name, for messages ("HostConfig")
  bool nullable = false;  // pointer, slice or map: null is meaningful
  std::vector<Field> fields;
  TypePtr element;
  std::size_t length = 0;  // kArray
};

// Schema builders.
TypePtr boolean();
TypePtr string();
TypePtr int64();
TypePtr uint64();
TypePtr uint32();
TypePtr uint16();
TypePtr str_slice();
TypePtr pointer(TypePtr type);  // *T: null kept
TypePtr slice(TypePtr element);
TypePtr array(TypePtr element, std::size_t length);
TypePtr map_of(TypePtr element);
TypePtr structure(std::string name, std::vector<Field> fields);
TypePtr empty_struct();  // struct{}, as in map[string]struct{}

// Fields of an embedded struct followed by more fields.
std::vector<Field> concat(std::vector<Field> a, const std::vector<Field>& b);

struct GoJsonError {
  std::string message;
  std::string pointer;  // JSON pointer of the offending member ("" = root)
};

// True if Go's encoding/json would decode the key into a field of this name.
bool go_fold_equal(std::string_view key, std::string_view field_name);

Result<nlohmann::json, GoJsonError> canonicalize(const nlohmann::json& value, const Type& type);

// parse_strict + canonicalize + dump(): the body to forward.
Result<std::string, GoJsonError> canonical_body(std::string_view body, const Type& type);

}  // namespace moat::moatd::http::go_json
