// Raw requests that must be refused, each with its exact status and message.
// Every case is fed whole, byte by byte and in 7-byte pieces: the outcome
// must not depend on how the bytes arrive.

#include <string>

#include <gtest/gtest.h>

#include "moatd/http/request_parser.h"
#include "parse_helpers.h"

namespace moat::moatd::http {
namespace {

using test_support::feed_in_pieces;
using test_support::Outcome;

struct RefusalCase {
  const char* name;
  std::string raw;
  int status;
  std::string message;
  ParserOptions options = {};
};

std::ostream& operator<<(std::ostream& os, const RefusalCase& c) { return os << c.name; }

const std::string kHost = "Host: docker\r\n";
const std::string kPost = "POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\n";

std::string get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\n" + kHost + "\r\n";
}

std::string with_header(const std::string& line) {
  return "GET /_ping HTTP/1.1\r\n" + kHost + line + "\r\n\r\n";
}

std::string chunked(const std::string& body) {
  return kPost + "Transfer-Encoding: chunked\r\n\r\n" + body;
}

ParserOptions small_body_limit() {
  ParserOptions o;
  o.max_body_bytes = 10;
  return o;
}

ParserOptions small_head_limit() {
  ParserOptions o;
  o.max_head_bytes = 64;
  return o;
}

ParserOptions small_line_limit() {
  ParserOptions o;
  o.max_request_line = 32;
  return o;
}

std::string many_headers(int n) {
  std::string raw = "GET /_ping HTTP/1.1\r\n" + kHost;
  for (int i = 1; i < n; ++i) raw += "X-H" + std::to_string(i) + ": v\r\n";
  return raw + "\r\n";
}

const char* const kNotSingleSpaces = " is not METHOD SP target SP HTTP-version with single spaces";
const char* const kMethodList = " is not used by the Docker Engine API (GET, HEAD, POST, PUT, DELETE)";
const char* const kVersionShape = "/\"; use /v<major>.<minor>/ such as /v1.41/";
const char* const kTwice = " appears more than once; send it once (readers disagree on which copy counts)";
const char* const kBoth =
    "both Content-Length and Transfer-Encoding are present; send only one (readers disagree on "
    "which wins)";
const char* const kTeOnlyChunked = " is not supported; only \"chunked\" is accepted";
const char* const kNotDecimal = " is not a plain decimal number";
const char* const kPercent =
    " contains '%'; percent-encoded paths are refused because Docker object names never need them";
const char* const kVisibleAscii = "; only visible ASCII is accepted";

std::vector<RefusalCase> cases() {
  return {
      // --- request line ---
      {"lowercase_method", "get /_ping HTTP/1.1\r\n" + kHost + "\r\n", 501,
       std::string("method \"get\"") + kMethodList},
      {"patch_method", "PATCH /_ping HTTP/1.1\r\n" + kHost + "\r\n", 501,
       std::string("method \"PATCH\"") + kMethodList},
      {"connect_method", "CONNECT docker:2375 HTTP/1.1\r\n" + kHost + "\r\n", 501,
       std::string("method \"CONNECT\"") + kMethodList},
      {"options_method", "OPTIONS * HTTP/1.1\r\n" + kHost + "\r\n", 501,
       std::string("method \"OPTIONS\"") + kMethodList},
      {"double_space", "GET  /_ping HTTP/1.1\r\n" + kHost + "\r\n", 400,
       std::string("request line \"GET  /_ping HTTP/1.1\"") + kNotSingleSpaces},
      {"space_before_version", "GET /_ping  HTTP/1.1\r\n" + kHost + "\r\n", 400,
       std::string("request line \"GET /_ping  HTTP/1.1\"") + kNotSingleSpaces},
      {"trailing_space", "GET /_ping HTTP/1.1 \r\n" + kHost + "\r\n", 400,
       std::string("request line \"GET /_ping HTTP/1.1 \"") + kNotSingleSpaces},
      {"leading_space", " GET /_ping HTTP/1.1\r\n" + kHost + "\r\n", 400,
       std::string("request line \" GET /_ping HTTP/1.1\"") + kNotSingleSpaces},
      {"tab_separator", "GET\t/_ping HTTP/1.1\r\n" + kHost + "\r\n", 400,
       std::string("request line \"GET\\x09/_ping HTTP/1.1\"") + kNotSingleSpaces},
      {"missing_version", "GET /_ping\r\n" + kHost + "\r\n", 400,
       std::string("request line \"GET /_ping\"") + kNotSingleSpaces},
      {"space_in_target", "GET /_p ing HTTP/1.1\r\n" + kHost + "\r\n", 400,
       std::string("request line \"GET /_p ing HTTP/1.1\"") + kNotSingleSpaces},
      {"http_2", "GET /_ping HTTP/2.0\r\n" + kHost + "\r\n", 505,
       "HTTP version \"HTTP/2.0\" is not supported; use HTTP/1.1"},
      {"http_1_2", "GET /_ping HTTP/1.2\r\n" + kHost + "\r\n", 505,
       "HTTP version \"HTTP/1.2\" is not supported; use HTTP/1.1"},
      {"http_0_9", "GET /_ping HTTP/0.9\r\n\r\n", 505,
       "HTTP version \"HTTP/0.9\" is not supported; use HTTP/1.1"},
      {"lowercase_http", "GET /_ping http/1.1\r\n" + kHost + "\r\n", 400,
       "request line ends in \"http/1.1\", not HTTP/1.1 or HTTP/1.0"},
      {"version_suffix", "GET /_ping HTTP/1.1x\r\n" + kHost + "\r\n", 400,
       "request line ends in \"HTTP/1.1x\", not HTTP/1.1 or HTTP/1.0"},
      {"version_two_digits", "GET /_ping HTTP/1.10\r\n" + kHost + "\r\n", 400,
       "request line ends in \"HTTP/1.10\", not HTTP/1.1 or HTTP/1.0"},
      {"method_not_token", "GE(T /_ping HTTP/1.1\r\n" + kHost + "\r\n", 400,
       "request method \"GE(T\" is not a token"},
      {"absolute_form", get("http://docker/v1.41/containers/json"), 400,
       "absolute-form request target \"http://docker/v1.41/containers/json\" is not accepted; "
       "send only the path, such as /v1.41/containers/json"},
      {"absolute_form_unix", get("unix:///var/run/docker.sock/_ping"), 400,
       "absolute-form request target \"unix:///var/run/docker.sock/_ping\" is not accepted; "
       "send only the path, such as /v1.41/containers/json"},
      {"asterisk_form", get("*"), 400,
       "asterisk-form request target \"*\" is not accepted; send a path such as /_ping"},
      {"authority_form", get("docker:2375"), 400,
       "request target \"docker:2375\" does not start with '/'"},
      {"relative_target", get("containers/json"), 400,
       "request target \"containers/json\" does not start with '/'"},
      {"leading_empty_line", "\r\nGET /_ping HTTP/1.1\r\n" + kHost + "\r\n", 400,
       "empty line before the request line; send the request line first"},
      {"bare_lf_request_line", "GET /_ping HTTP/1.1\n" + kHost + "\r\n", 400,
       "bare LF in the request head; lines must end with CRLF"},
      {"bare_lf_header", "GET /_ping HTTP/1.1\r\nHost: docker\n\r\n", 400,
       "bare LF in the request head; lines must end with CRLF"},
      {"bare_lf_end", "GET /_ping HTTP/1.1\r\n" + kHost + "\n", 400,
       "bare LF in the request head; lines must end with CRLF"},
      {"lf_only_request", "GET /_ping HTTP/1.1\nHost: docker\n\n", 400,
       "bare LF in the request head; lines must end with CRLF"},
      {"bare_cr_request_line", "GET /_ping HTTP/1.1\rHost: docker\r\n\r\n", 400,
       "bare CR in the request head; CR is allowed only before LF"},
      {"bare_cr_in_value", "GET /_ping HTTP/1.1\r\nUser-Agent: a\rb\r\n" + kHost + "\r\n", 400,
       "bare CR in the request head; CR is allowed only before LF"},
      {"nul_in_target", std::string("GET /_p\0ing HTTP/1.1\r\n", 22) + kHost + "\r\n", 400,
       std::string("request target \"/_p\\x00ing\" contains byte 0x00") + kVisibleAscii},
      {"utf8_in_path", get("/v1.41/containers/caf\xc3\xa9/json"), 400,
       std::string("request target \"/v1.41/containers/caf\\xc3\\xa9/json\" contains byte 0xc3") +
           kVisibleAscii},
      {"del_in_path", get("/v1.41/containers/a\x7f/json"), 400,
       std::string("request target \"/v1.41/containers/a\\x7f/json\" contains byte 0x7f") +
           kVisibleAscii},
      {"fragment", get("/_ping#frag"), 400,
       "request target \"/_ping#frag\" contains '#'; fragments are not sent to servers"},

      // --- path ---
      {"percent_slash", get("/v1.41/containers/a%2Fb/json"), 400,
       std::string("path \"/v1.41/containers/a%2Fb/json\"") + kPercent},
      {"percent_dotdot", get("/v1.41/containers/%2e%2e/images/json"), 400,
       std::string("path \"/v1.41/containers/%2e%2e/images/json\"") + kPercent},
      {"percent_in_version", get("/v1%2E41/containers/json"), 400,
       std::string("path \"/v1%2E41/containers/json\"") + kPercent},
      {"percent_letter", get("/v1.41/%63ontainers/create"), 400,
       std::string("path \"/v1.41/%63ontainers/create\"") + kPercent},
      {"double_slash", get("/v1.41//containers/json"), 400,
       "path \"/v1.41//containers/json\" has an empty segment (\"//\")"},
      {"leading_double_slash", get("//containers/json"), 400,
       "path \"//containers/json\" has an empty segment (\"//\")"},
      {"dot_segment", get("/v1.41/./containers/json"), 400,
       "path \"/v1.41/./containers/json\" has a \".\" segment; dot segments are refused"},
      {"dotdot_segment", get("/v1.41/containers/../images/json"), 400,
       "path \"/v1.41/containers/../images/json\" has a \"..\" segment; dot segments are refused"},
      {"dotdot_first", get("/../_ping"), 400,
       "path \"/../_ping\" has a \"..\" segment; dot segments are refused"},
      {"trailing_slash", get("/v1.41/containers/json/"), 400,
       "path \"/v1.41/containers/json/\" ends with '/'; send it without the trailing slash"},
      {"version_trailing_slash", get("/v1.41/"), 400,
       "path \"/v1.41/\" ends with '/'; send it without the trailing slash"},
      {"version_only", get("/v1.41"), 400,
       "path \"/v1.41\" has an API version prefix but no endpoint after it"},

      // --- version prefix shapes ---
      {"version_double_dot", get("/v1..41/containers/json"), 400,
       std::string("unknown API version prefix shape \"/v1..41") + kVersionShape},
      {"version_three_parts", get("/v1.41.0/containers/json"), 400,
       std::string("unknown API version prefix shape \"/v1.41.0") + kVersionShape},
      {"version_capital_v", get("/V1.41/containers/json"), 400,
       std::string("unknown API version prefix shape \"/V1.41") + kVersionShape},
      {"version_major_only", get("/v1/containers/json"), 400,
       std::string("unknown API version prefix shape \"/v1") + kVersionShape},
      {"version_leading_dot", get("/v.41/containers/json"), 400,
       std::string("unknown API version prefix shape \"/v.41") + kVersionShape},
      {"version_trailing_dot", get("/v1./containers/json"), 400,
       std::string("unknown API version prefix shape \"/v1.") + kVersionShape},
      {"version_leading_zero", get("/v01.41/containers/json"), 400,
       std::string("unknown API version prefix shape \"/v01.41") + kVersionShape},
      {"version_minor_leading_zero", get("/v1.041/containers/json"), 400,
       std::string("unknown API version prefix shape \"/v1.041") + kVersionShape},
      {"version_too_many_digits", get("/v1.99999/containers/json"), 400,
       std::string("unknown API version prefix shape \"/v1.99999") + kVersionShape},
      {"version_letters_after", get("/v1.41abc/containers/json"), 400,
       std::string("unknown API version prefix shape \"/v1.41abc") + kVersionShape},
      {"version_dots_only", get("/v../containers/json"), 400,
       std::string("unknown API version prefix shape \"/v..") + kVersionShape},

      // --- query ---
      {"query_semicolon", get("/v1.41/containers/json?all=1;size=1"), 400,
       "query \"all=1;size=1\" contains ';'; Go versions disagree on it as a separator, so it is "
       "refused; escape it as %3B"},
      {"query_bad_escape", get("/v1.41/containers/json?filters=%zz"), 400,
       "malformed percent-escape \"%zz\" in query value \"%zz\"; write %XX with two hex digits"},
      {"query_truncated_escape", get("/v1.41/containers/json?all=%4"), 400,
       "malformed percent-escape \"%4\" in query value \"%4\"; write %XX with two hex digits"},
      {"query_lone_percent", get("/v1.41/containers/json?all=1%"), 400,
       "malformed percent-escape \"%\" in query value \"1%\"; write %XX with two hex digits"},
      {"query_bad_escape_in_key", get("/v1.41/containers/json?%G1=1"), 400,
       "malformed percent-escape \"%G1\" in query key \"%G1\"; write %XX with two hex digits"},
      {"query_decoded_nul", get("/v1.41/containers/create?name=a%00b"), 400,
       "query value \"a%00b\" decodes to a NUL byte; NUL is never valid in a Docker API "
       "parameter"},
      {"query_decoded_nul_key", get("/v1.41/containers/create?na%00me=a"), 400,
       "query key \"na%00me\" decodes to a NUL byte; NUL is never valid in a Docker API "
       "parameter"},
      {"query_empty_key", get("/v1.41/containers/json?=1"), 400,
       "query parameter \"=1\" has an empty name"},

      // --- header syntax ---
      {"obs_fold", "GET /_ping HTTP/1.1\r\n" + kHost + "User-Agent: a\r\n b\r\n\r\n", 400,
       "header line \" b\" starts with white space (obs-fold line folding is not accepted); put "
       "the whole value on one line"},
      {"obs_fold_tab", "GET /_ping HTTP/1.1\r\n" + kHost + "User-Agent: a\r\n\tb\r\n\r\n", 400,
       "header line \"\\x09b\" starts with white space (obs-fold line folding is not accepted); "
       "put the whole value on one line"},
      {"first_header_folded", "GET /_ping HTTP/1.1\r\n Host: docker\r\n\r\n", 400,
       "header line \" Host: docker\" starts with white space (obs-fold line folding is not "
       "accepted); put the whole value on one line"},
      {"space_before_colon", kPost + "Content-Length : 5\r\n\r\nhello", 400,
       "white space between header name \"Content-Length\" and the colon is not accepted"},
      {"tab_before_colon", kPost + "Transfer-Encoding\t: chunked\r\n\r\n", 400,
       "white space between header name \"Transfer-Encoding\" and the colon is not accepted"},
      {"no_colon", with_header("X-Registry-Auth abc"), 400,
       "header line \"X-Registry-Auth abc\" has no colon"},
      {"empty_name", with_header(": value"), 400, "header line \": value\" has an empty name"},
      {"name_with_slash", with_header("X/Y: 1"), 400,
       "header name \"X/Y\" contains 0x2f, which is not a token character"},
      {"name_with_high_byte", with_header("X-\xc3\xa9: 1"), 400,
       "header name \"X-\\xc3\\xa9\" contains 0xc3, which is not a token character"},
      {"name_with_nul", with_header(std::string("X\0Y: 1", 6)), 400,
       "header name \"X\\x00Y\" contains 0x00, which is not a token character"},
      {"control_in_value", with_header("User-Agent: a\x01z"), 400,
       "header \"User-Agent\" contains control character 0x01"},
      {"nul_in_value", with_header(std::string("User-Agent: a\0z", 15)), 400,
       "header \"User-Agent\" contains control character 0x00"},
      {"del_in_value", with_header("User-Agent: a\x7fz"), 400,
       "header \"User-Agent\" contains control character 0x7f"},
      {"escape_in_value", with_header("X-Registry-Auth: a\x1b[0m"), 400,
       "header \"X-Registry-Auth\" contains control character 0x1b"},
      {"non_ascii_value", with_header("User-Agent: caf\xc3\xa9"), 400,
       "header \"User-Agent\" contains non-ASCII byte 0xc3; header values must be ASCII"},
      {"too_many_headers", many_headers(101), 431, "more than 100 header fields"},
      {"head_too_large", "GET /_ping HTTP/1.1\r\nHost: docker\r\nUser-Agent: " +
                             std::string(80, 'a') + "\r\n\r\n",
       431, "request head larger than 64 bytes", small_head_limit()},
      {"request_line_too_long", get("/v1.41/containers/json?filters=" + std::string(40, 'a')),
       414, "request line longer than 32 bytes", small_line_limit()},

      // --- repeated and required headers ---
      {"duplicate_host", "GET /_ping HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
       std::string("header \"host\"") + kTwice},
      {"duplicate_host_case", "GET /_ping HTTP/1.1\r\nHost: a\r\nhOST: a\r\n\r\n", 400,
       std::string("header \"host\"") + kTwice},
      {"duplicate_registry_auth",
       with_header("X-Registry-Auth: e30=\r\nX-Registry-Auth: e30="), 400,
       std::string("header \"x-registry-auth\"") + kTwice},
      {"duplicate_content_type",
       kPost + "Content-Type: text/plain\r\nContent-Type: application/json\r\n\r\n", 400,
       std::string("header \"content-type\"") + kTwice},
      {"duplicate_connection", with_header("Connection: close\r\nConnection: keep-alive"), 400,
       std::string("header \"connection\"") + kTwice},
      {"missing_host", "GET /_ping HTTP/1.1\r\nUser-Agent: x\r\n\r\n", 400,
       "HTTP/1.1 request without a Host header"},

      // --- Content-Length / Transfer-Encoding ---
      {"cl_and_te", kPost + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400, kBoth},
      {"te_and_cl", kPost + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400, kBoth},
      {"cl_zero_and_te",
       kPost + "Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
       400, kBoth},
      {"duplicate_cl_equal", kPost + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400,
       std::string("header \"content-length\"") + kTwice},
      {"duplicate_cl_different", kPost + "Content-Length: 0\r\nContent-Length: 5\r\n\r\nhello",
       400, std::string("header \"content-length\"") + kTwice},
      {"duplicate_te", kPost + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
       400, std::string("header \"transfer-encoding\"") + kTwice},
      {"cl_plus", kPost + "Content-Length: +5\r\n\r\nhello", 400,
       std::string("Content-Length \"+5\"") + kNotDecimal},
      {"cl_minus", kPost + "Content-Length: -1\r\n\r\n", 400,
       std::string("Content-Length \"-1\"") + kNotDecimal},
      {"cl_hex", kPost + "Content-Length: 0x5\r\n\r\nhello", 400,
       std::string("Content-Length \"0x5\"") + kNotDecimal},
      {"cl_inner_space", kPost + "Content-Length: 1 0\r\n\r\n", 400,
       std::string("Content-Length \"1 0\"") + kNotDecimal},
      {"cl_list", kPost + "Content-Length: 5, 5\r\n\r\nhello", 400,
       std::string("Content-Length \"5, 5\"") + kNotDecimal},
      {"cl_empty", kPost + "Content-Length:\r\n\r\n", 400,
       std::string("Content-Length \"\"") + kNotDecimal},
      {"cl_decimal_point", kPost + "Content-Length: 5.0\r\n\r\nhello", 400,
       std::string("Content-Length \"5.0\"") + kNotDecimal},
      {"cl_exponent", kPost + "Content-Length: 5e0\r\n\r\nhello", 400,
       std::string("Content-Length \"5e0\"") + kNotDecimal},
      {"cl_overflow", kPost + "Content-Length: 18446744073709551616\r\n\r\n", 400,
       "Content-Length \"18446744073709551616\" does not fit in 64 bits"},
      {"cl_huge_overflow", kPost + "Content-Length: 99999999999999999999999999\r\n\r\n", 400,
       "Content-Length \"99999999999999999999999999\" does not fit in 64 bits"},
      {"te_gzip", kPost + "Transfer-Encoding: gzip\r\n\r\n", 400,
       std::string("Transfer-Encoding \"gzip\"") + kTeOnlyChunked},
      {"te_gzip_chunked", kPost + "Transfer-Encoding: gzip, chunked\r\n\r\n", 400,
       std::string("Transfer-Encoding \"gzip, chunked\"") + kTeOnlyChunked},
      {"te_chunked_twice", kPost + "Transfer-Encoding: chunked, chunked\r\n\r\n", 400,
       std::string("Transfer-Encoding \"chunked, chunked\"") + kTeOnlyChunked},
      {"te_capitalised", kPost + "Transfer-Encoding: Chunked\r\n\r\n", 400,
       std::string("Transfer-Encoding \"Chunked\"") + kTeOnlyChunked},
      {"te_identity", kPost + "Transfer-Encoding: identity\r\n\r\n", 400,
       std::string("Transfer-Encoding \"identity\"") + kTeOnlyChunked},
      {"te_empty", kPost + "Transfer-Encoding:\r\n\r\n", 400,
       std::string("Transfer-Encoding \"\"") + kTeOnlyChunked},
      {"te_http10", "POST /v1.41/containers/create HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
       400, "Transfer-Encoding in an HTTP/1.0 request"},
      {"get_with_body", "GET /v1.41/containers/json HTTP/1.1\r\n" + kHost +
                            "Content-Length: 5\r\n\r\nhello",
       400, "GET request with a body (Content-Length 5); the Docker API reads no body on GET"},
      {"head_with_chunked_body",
       "HEAD /_ping HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
       "HEAD request with a body (chunked); the Docker API reads no body on HEAD"},
      {"delete_with_body",
       "DELETE /v1.41/containers/c1 HTTP/1.1\r\n" + kHost + "Content-Length: 2\r\n\r\n{}", 400,
       "DELETE request with a body (Content-Length 2); the Docker API reads no body on DELETE"},
      {"body_over_default_limit", kPost + "Content-Length: 4194305\r\n\r\n", 413,
       "body of 4194305 bytes exceeds the limit of 4194304 bytes; it is refused, not truncated"},
      {"body_over_authz_1mib_and_limit", kPost + "Content-Length: 104857600\r\n\r\n", 413,
       "body of 104857600 bytes exceeds the limit of 4194304 bytes; it is refused, not truncated"},
      {"body_over_small_limit", kPost + "Content-Length: 11\r\n\r\n{\"Image\":1}", 413,
       "body of 11 bytes exceeds the limit of 10 bytes; it is refused, not truncated",
       small_body_limit()},
      {"chunked_over_limit", chunked("b\r\n{\"Image\":1}\r\n0\r\n\r\n"), 413,
       "chunked body exceeds the limit of 10 bytes; it is refused, not truncated",
       small_body_limit()},
      {"chunked_over_limit_cumulative", chunked("6\r\naaaaaa\r\n6\r\nbbbbbb\r\n0\r\n\r\n"), 413,
       "chunked body exceeds the limit of 10 bytes; it is refused, not truncated",
       small_body_limit()},

      // --- chunked framing ---
      {"chunk_extension", chunked("5;ext=1\r\nhello\r\n0\r\n\r\n"), 400,
       "chunk extension in \"5;ext=1\" is not accepted; send the bare chunk size"},
      {"chunk_extension_on_last", chunked("5\r\nhello\r\n0;x\r\n\r\n"), 400,
       "chunk extension in \"0;x\" is not accepted; send the bare chunk size"},
      {"chunk_size_trailing_space", chunked("5 \r\nhello\r\n0\r\n\r\n"), 400,
       "chunk-size line \"5 \" has 0x20 where a hex digit or CRLF belongs"},
      {"chunk_size_leading_space", chunked(" 5\r\nhello\r\n0\r\n\r\n"), 400,
       "chunk-size line \" 5\" has 0x20 where a hex digit or CRLF belongs"},
      {"chunk_size_negative", chunked("-5\r\nhello\r\n0\r\n\r\n"), 400,
       "chunk-size line \"-5\" has 0x2d where a hex digit or CRLF belongs"},
      {"chunk_size_0x", chunked("0x5\r\nhello\r\n0\r\n\r\n"), 400,
       "chunk-size line \"0x5\" has 0x78 where a hex digit or CRLF belongs"},
      {"chunk_size_plus", chunked("+5\r\nhello\r\n0\r\n\r\n"), 400,
       "chunk-size line \"+5\" has 0x2b where a hex digit or CRLF belongs"},
      {"chunk_size_empty", chunked("\r\nhello\r\n0\r\n\r\n"), 400,
       "chunk-size line is empty; expected hex digits then CRLF"},
      {"chunk_size_overflow", chunked("10000000000000000\r\n"), 400,
       "chunk size \"10000000000000000\" does not fit in 64 bits"},
      {"chunk_data_longer_than_size", chunked("3\r\nhello\r\n0\r\n\r\n"), 400,
       "chunk data is not followed by CRLF (found 0x6c); the chunk size does not match its data"},
      {"chunk_missing_crlf", chunked("5\r\nhello0\r\n\r\n"), 400,
       "chunk data is not followed by CRLF (found 0x30); the chunk size does not match its data"},
      {"chunk_data_bare_cr", chunked("5\r\nhello\rX0\r\n\r\n"), 400,
       "chunk data is followed by a bare CR (then 0x58)"},
      {"chunk_size_bare_lf", chunked("5\nhello\r\n0\r\n\r\n"), 400,
       "bare LF in chunked framing; lines must end with CRLF"},
      {"chunk_size_bare_cr", chunked("5\rhello\r\n0\r\n\r\n"), 400,
       "bare CR in chunked framing (CR followed by 0x68)"},
      {"chunk_last_bare_lf", chunked("5\r\nhello\r\n0\r\n\n"), 400,
       "bare LF in chunked framing; lines must end with CRLF"},
      {"chunk_trailer", chunked("5\r\nhello\r\n0\r\nX-Trailer: a\r\n\r\n"), 400,
       "trailer field \"X-Trailer: a\" after the last chunk is not accepted; send no trailers"},
      {"chunk_trailer_content_length", chunked("0\r\nContent-Length: 5\r\n\r\nhello"), 400,
       "trailer field \"Content-Length: 5\" after the last chunk is not accepted; send no "
       "trailers"},
      {"chunk_size_line_too_long", chunked(std::string(1100, '0') + "5\r\nhello\r\n0\r\n\r\n"),
       400, "chunk-size line longer than 1024 bytes"},

      // --- Connection, Upgrade, Expect ---
      {"connection_header_name", with_header("Connection: X-Registry-Auth"), 400,
       "Connection option \"X-Registry-Auth\" is not accepted; only close, keep-alive and "
       "upgrade"},
      {"connection_te", with_header("Connection: close, TE"), 400,
       "Connection option \"TE\" is not accepted; only close, keep-alive and upgrade"},
      {"upgrade_without_connection", with_header("Upgrade: tcp"), 400,
       "Upgrade header without \"Connection: upgrade\"; send both or neither"},
      {"connection_upgrade_without_upgrade", with_header("Connection: Upgrade"), 400,
       "\"Connection: upgrade\" without an Upgrade header"},
      {"upgrade_websocket", with_header("Connection: Upgrade\r\nUpgrade: websocket"), 400,
       "Upgrade \"websocket\" is not accepted; only tcp (attach, exec) and h2c (BuildKit "
       "session)"},
      {"upgrade_list", with_header("Connection: Upgrade\r\nUpgrade: tcp, h2c"), 400,
       "Upgrade \"tcp, h2c\" is not accepted; only tcp (attach, exec) and h2c (BuildKit "
       "session)"},
      {"upgrade_http10",
       "POST /v1.41/exec/e1/start HTTP/1.0\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", 400,
       "protocol upgrade in an HTTP/1.0 request"},
      {"expect_other", kPost + "Expect: 200-ok\r\nContent-Length: 2\r\n\r\n{}", 417,
       "Expect \"200-ok\" is not supported; only 100-continue"},
      {"expect_continue_typo", kPost + "Expect: 100-continue-please\r\nContent-Length: 2\r\n\r\n{}",
       417, "Expect \"100-continue-please\" is not supported; only 100-continue"},

      // --- smuggled second request after Content-Length: 0 (CVE-2024-41110 shape) ---
      {"cl0_body_is_next_request",
       kPost + "Content-Length: 0\r\n\r\n{\"HostConfig\":{\"Privileged\":true}}\r\n\r\n", 400,
       "request line \"{\\x22HostConfig\\x22:{\\x22Privileged\\x22:true}}\"" +
           std::string(kNotSingleSpaces)},
  };
}

class RequestRefusal : public ::testing::TestWithParam<RefusalCase> {};

// Runs the parser to its first refusal, also across pipelined requests (the
// last case above refuses only in the request after the first).
Outcome run_to_refusal(const std::string& raw, std::size_t piece, const ParserOptions& options) {
  std::string_view rest = raw;
  while (true) {
    Outcome outcome = feed_in_pieces(rest, piece, options);
    if (!outcome.request || outcome.consumed >= rest.size()) return outcome;
    rest.remove_prefix(outcome.consumed);
  }
}

TEST_P(RequestRefusal, RefusedWithExactStatusAndMessage) {
  const RefusalCase& c = GetParam();
  for (const std::size_t piece : {std::size_t{0}, std::size_t{1}, std::size_t{7}}) {
    SCOPED_TRACE("piece size " + std::to_string(piece));
    const Outcome outcome = run_to_refusal(c.raw, piece, c.options);
    ASSERT_TRUE(outcome.refusal.has_value()) << "not refused";
    EXPECT_EQ(outcome.refusal->status, c.status);
    EXPECT_EQ(outcome.refusal->message, c.message);
  }
}

INSTANTIATE_TEST_SUITE_P(Raw, RequestRefusal, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<RefusalCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

}  // namespace
}  // namespace moat::moatd::http
