#include "moatd/http/serialize.h"

#include <cassert>
#include <cstdio>

namespace moat::moatd::http {

std::string canonical_header_name(std::string_view lower_name) {
  std::string out(lower_name);
  bool start = true;
  for (char& c : out) {
    if (start && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    start = c == '-';
  }
  return out;
}

std::string serialize_head(const CanonicalRequest& request) {
  const bool http11 = request.version == HttpVersion::kHttp11;
  std::string out;
  out.reserve(256);
  out += request.method;
  out += ' ';
  request.append_target(out);
  out += http11 ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n";
  for (const Header& h : request.headers) {
    out += canonical_header_name(h.name);
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
  std::string connection;
  const auto add_option = [&connection](std::string_view option) {
    if (!connection.empty()) connection += ", ";
    connection += option;
  };
  if (http11 && !request.keep_alive) add_option("close");
  if (!http11 && request.keep_alive) add_option("keep-alive");
  if (request.upgrade) add_option("Upgrade");
  if (!connection.empty()) out += "Connection: " + connection + "\r\n";
  if (request.upgrade) out += "Upgrade: " + request.upgrade_protocol + "\r\n";

  if (request.body_streamed) {
    if (request.framing == BodyFraming::kChunked) {
      out += "Transfer-Encoding: chunked\r\n";
    } else if (request.framing == BodyFraming::kContentLength) {
      out += "Content-Length: " + std::to_string(request.content_length) + "\r\n";
    }
  } else if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  out += "\r\n";
  return out;
}

std::string serialize_request(const CanonicalRequest& request) {
  assert(!request.body_streamed);
  std::string out = serialize_head(request);
  out += request.body;
  return out;
}

std::string encode_chunk(std::string_view data) {
  if (data.empty()) return {};
  char size[24];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  std::string out(size);
  out.append(data);
  out += "\r\n";
  return out;
}

std::string_view last_chunk() { return "0\r\n\r\n"; }

}  // namespace moat::moatd::http
