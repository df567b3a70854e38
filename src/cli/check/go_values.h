#pragma once
// Value syntax as the docker CLI (Go) reads and writes it, so that
// `moatctl check` accepts and refuses what `docker` does and sends the same
// bytes: strconv's booleans and integers, go-units sizes, net.ParseIP,
// encoding/csv records, path.Clean, url.QueryEscape and json.Marshal's
// escaping. Hand-written because each is a small, exact rule of Go's
// standard library that no C++ library reproduces byte for byte.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result/result.h"

namespace moat::cli::check {

// strconv.ParseBool: 1 t T TRUE true True 0 f F FALSE false False.
std::optional<bool> parse_go_bool(std::string_view text);

// strconv.ParseInt(text, 0, 64): optional sign, 0x/0o/0b or leading-0 octal
// prefixes, '_' between digits after a prefix.
std::optional<std::int64_t> parse_go_int(std::string_view text);

// strconv.ParseInt(text, 10, 64) (Atoi on 64-bit platforms).
std::optional<std::int64_t> parse_decimal_int(std::string_view text);

// strconv.ParseUint(text, 10, 16): a port number.
std::optional<std::uint16_t> parse_port_number(std::string_view text);

// go-units RAMInBytes: "64m", "1.5g", "512", "2 GiB" (binary multiples).
Result<std::int64_t, std::string> ram_in_bytes(std::string_view text);

// opts.NanoCPUs: a decimal number of CPUs as billionths ("1.5" -> 1500000000).
Result<std::int64_t, std::string> nano_cpus(std::string_view text);

// net.ParseIP(text).String(), or nothing when Go would not parse it.
std::optional<std::string> canonical_ip(std::string_view text);

// encoding/csv: the first record of text (fields split on ',', "quoted"
// fields with "" for a quote). Errors read like Go's.
Result<std::vector<std::string>, std::string> read_csv_record(std::string_view text);

// path.Clean.
std::string clean_path(std::string_view path);

// filepath.Abs on Linux: Clean(Join(working_directory, path)).
std::string absolute_path(const std::string& working_directory, std::string_view path);

// url.QueryEscape (space as '+').
std::string query_escape(std::string_view text);

// One path segment as url.URL.EscapedPath writes it.
std::string path_escape(std::string_view segment);

// json.Marshal's text for a value: compact, with <, >, & and U+2028/U+2029
// escaped as \u003c... and invalid UTF-8 replaced by U+FFFD.
std::string go_json_marshal(const nlohmann::json& value);

// strings.Cut: before and after the first separator, and whether it was there.
struct Cut {
  std::string before;
  std::string after;
  bool found = false;
};
Cut cut(std::string_view text, char separator);

std::string to_lower(std::string_view text);
std::string to_upper(std::string_view text);

}  // namespace moat::cli::check
