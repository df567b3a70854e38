#pragma once
// Strict JSON: one parser for every JSON Moat reads from someone else
// (admin settings, API bodies). It refuses what lenient parsers let through
// and what other parsers read differently: a byte order mark, duplicate keys,
// trailing bytes, invalid UTF-8, excessive nesting or size. An error names
// the line and column where the text went wrong; the document keeps those
// of every value only when asked (ParseOptions::locate_values).

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/result/result.h"

namespace moat::core::json {

struct Location {
  std::size_t line = 1;    // 1-based
  std::size_t column = 1;  // 1-based, in characters
  std::size_t offset = 0;  // bytes from the start
};

struct ParseError {
  std::string message;
  Location where;
};

struct ParseOptions {
  std::size_t max_bytes = 1U << 20;
  std::size_t max_depth = 64;
  // Fill Document::locations. Only the admin's settings point at their
  // values by line and column; for an API body or a runtime config the map
  // cost more than the parse itself (0.27 against 0.12 ms for dockerd's 9 KB
  // config.json).
  bool locate_values = false;
};

struct Document {
  nlohmann::json value;
  // Keyed by JSON pointer ("/linuxVM/dockerDaemonOptions/value"): where the
  // member's key starts, or the value itself for array elements and the root.
  // Empty unless ParseOptions::locate_values.
  std::unordered_map<std::string, Location> locations;

  // Location of the pointer, or of its nearest located parent.
  Location where(std::string pointer) const;
};

Result<Document, ParseError> parse_strict(std::string_view text,
                                          const ParseOptions& options = {});

// Line and column of a byte offset in text.
Location locate(std::string_view text, std::size_t offset);

// Escapes a key for use as one JSON pointer token (RFC 6901).
std::string pointer_token(std::string_view key);

}  // namespace moat::core::json
