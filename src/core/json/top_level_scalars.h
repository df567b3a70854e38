#pragma once
// The few top-level members a caller needs of a large JSON object, read
// without building the document. runc's state of a container is 30 KB (its
// whole libcontainer config, seccomp rules included) and moat-runc needs two
// numbers of it at every delete: 0.17 ms this way against 1.4 ms through
// parse_strict, which builds and locates every value. The text is checked as
// parse_strict checks it (syntax, UTF-8, size, depth, byte order mark,
// trailing bytes), except that keys must be unique only at the top level.

#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/json/strict_json.h"
#include "core/result/result.h"

namespace moat::core::json {

// An object of those of `keys` that the text's top-level object has, with
// their values; a named member whose value is an object or an array is an
// error, as is a text whose value is not an object.
Result<nlohmann::json, ParseError> top_level_scalars(std::string_view text, std::span<const std::string_view> keys,
                                                     const ParseOptions& options = {});

}  // namespace moat::core::json
