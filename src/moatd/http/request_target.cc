#include "moatd/http/request_target.h"

#include "core/json/json_string.h"
#include "moatd/http/http_chars.h"

namespace moat::moatd::http {
namespace {

Unexpected<Refusal> bad(std::string message) {
  return moat::unexpected(Refusal{status::kBadRequest, std::move(message)});
}

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A decimal of 1 to 4 digits without a leading zero (except "0" itself).
bool parse_version_number(std::string_view s, unsigned& out) {
  if (s.empty() || s.size() > 4 || !is_all_digits(s)) return false;
  if (s.size() > 1 && s.front() == '0') return false;
  unsigned v = 0;
  for (const char c : s) v = v * 10 + static_cast<unsigned>(c - '0');
  out = v;
  return true;
}

bool looks_like_version(std::string_view segment) {
  return segment.size() >= 2 && (segment[0] == 'v' || segment[0] == 'V') &&
         (is_digit(segment[1]) || segment[1] == '.');
}

std::optional<ApiVersion> parse_version_segment(std::string_view segment) {
  if (segment.size() < 4 || segment[0] != 'v') return std::nullopt;
  const std::string_view rest = segment.substr(1);
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  ApiVersion v;
  if (!parse_version_number(rest.substr(0, dot), v.major)) return std::nullopt;
  if (!parse_version_number(rest.substr(dot + 1), v.minor)) return std::nullopt;
  return v;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string, Refusal> decode_component(std::string_view raw, std::string_view what) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      const int hi = i + 1 < raw.size() ? hex_value(raw[i + 1]) : -1;
      const int lo = i + 2 < raw.size() ? hex_value(raw[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return bad("malformed percent-escape " + quoted(raw.substr(i, 3)) + " in query " +
                   std::string(what) + " " + quoted(raw) + "; write %XX with two hex digits");
      }
      const char decoded = static_cast<char>(hi * 16 + lo);
      if (decoded == '\0') {
        return bad("query " + std::string(what) + " " + quoted(raw) +
                   " decodes to a NUL byte; NUL is never valid in a Docker API parameter");
      }
      out += decoded;
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::vector<QueryParam>, Refusal> parse_query(std::string_view raw) {
  std::vector<QueryParam> params;
  std::size_t start = 0;
  while (start <= raw.size()) {
    auto end = raw.find('&', start);
    if (end == std::string_view::npos) end = raw.size();
    const std::string_view pair = raw.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;  // "a=1&&b=2": Go skips empty pairs too
    const auto eq = pair.find('=');
    const std::string_view raw_key = pair.substr(0, eq);
    const std::string_view raw_value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    auto key = decode_component(raw_key, "key");
    if (!key) return moat::unexpected(std::move(key).error());
    if (key->empty()) {
      return bad("query parameter " + quoted(pair) + " has an empty name");
    }
    auto value = decode_component(raw_value, "value");
    if (!value) return moat::unexpected(std::move(value).error());
    params.push_back(QueryParam{std::move(*key), std::move(*value)});
  }
  return params;
}

bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

void append_escaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : s) {
    if (is_unreserved(c)) {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0f];
    }
  }
}

}  // namespace

Result<RequestTarget, Refusal> parse_target(std::string_view target) {
  if (target == "*") {
    return bad("asterisk-form request target \"*\" is not accepted; send a path such as /_ping");
  }
  if (target.empty() || target.front() != '/') {
    if (target.find("://") != std::string_view::npos) {
      return bad("absolute-form request target " + quoted(target) +
                 " is not accepted; send only the path, such as /v1.41/containers/json");
    }
    return bad("request target " + quoted(target) + " does not start with '/'");
  }
  for (const char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return bad("request target " + quoted(target) + " contains byte " + byte_name(c) +
                 "; only visible ASCII is accepted");
    }
    if (c == '#') {
      return bad("request target " + quoted(target) + " contains '#'; fragments are not sent to servers");
    }
  }
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view raw_query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  if (path.find('%') != std::string_view::npos) {
    return bad("path " + quoted(path) +
               " contains '%'; percent-encoded paths are refused because Docker object "
               "names never need them");
  }
  RequestTarget out;
  if (path != "/") {
    if (path.back() == '/') {
      return bad("path " + quoted(path) + " ends with '/'; send it without the trailing slash");
    }
    std::size_t start = 1;
    while (start <= path.size()) {
      auto end = path.find('/', start);
      if (end == std::string_view::npos) end = path.size();
      const std::string_view segment = path.substr(start, end - start);
      if (segment.empty()) {
        return bad("path " + quoted(path) + " has an empty segment (\"//\")");
      }
      if (segment == "." || segment == "..") {
        return bad("path " + quoted(path) + " has a " + quoted(segment) +
                   " segment; dot segments are refused");
      }
      out.segments.emplace_back(segment);
      start = end + 1;
    }
    if (looks_like_version(out.segments.front())) {
      const auto version = parse_version_segment(out.segments.front());
      if (!version) {
        return bad("unknown API version prefix shape \"/" + out.segments.front() +
                   "/\"; use /v<major>.<minor>/ such as /v1.41/");
      }
      if (out.segments.size() == 1) {
        return bad("path " + quoted(path) + " has an API version prefix but no endpoint after it");
      }
      out.api_version = version;
      out.segments.erase(out.segments.begin());
    }
  }
  if (raw_query.find(';') != std::string_view::npos) {
    return bad("query " + quoted(raw_query) +
               " contains ';'; Go versions disagree on it as a separator, so it is refused; "
               "escape it as %3B");
  }
  auto query = parse_query(raw_query);
  if (!query) return moat::unexpected(std::move(query).error());
  out.query = std::move(*query);
  return out;
}

std::string format_path(const std::optional<ApiVersion>& version,
                        const std::vector<std::string>& segments) {
  std::string out;
  append_path(out, version, segments);
  return out;
}

// Appended piece by piece: every request's target is formatted once to be
// forwarded and once for its audit record, and the temporary strings of
// "/" + segment cost more than the copying.
void append_path(std::string& out, const std::optional<ApiVersion>& version,
                 const std::vector<std::string>& segments) {
  const std::size_t start = out.size();
  if (version) {
    out.append("/v");
    core::json::append_decimal(out, version->major);
    out.push_back('.');
    core::json::append_decimal(out, version->minor);
  }
  for (const std::string& segment : segments) {
    out.push_back('/');
    out.append(segment);
  }
  if (out.size() == start) out.push_back('/');
}

void append_query(std::string& out, const std::vector<QueryParam>& query) {
  bool first = true;
  for (const QueryParam& param : query) {
    if (!first) out += '&';
    first = false;
    append_escaped(out, param.key);
    out += '=';
    append_escaped(out, param.value);
  }
}

}  // namespace moat::moatd::http
