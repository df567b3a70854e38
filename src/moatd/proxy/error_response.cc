#include "moatd/proxy/error_response.h"

#include <nlohmann/json.hpp>

namespace moat::moatd::proxy {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
  }
}

std::string error_response(int status, std::string_view message, bool close_connection) {
  // Messages may quote client bytes; invalid UTF-8 is replaced rather than
  // letting the serializer throw.
  const std::string body =
      nlohmann::json{{"message", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
      "\n";
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason_phrase(status)) + "\r\n";
  out += "Content-Type: application/json\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (close_connection) out += "Connection: close\r\n";
  out += "\r\n";
  out += body;
  return out;
}

std::string refusal_message(const http::Refusal& refusal) {
  if (refusal.status == http::status::kBadRequest) {
    return "Moat refused a malformed request: " + refusal.message;
  }
  return "Moat refused the request: " + refusal.message;
}

}  // namespace moat::moatd::proxy
