#pragma once
// A small blocking HTTP/1.1 client over a unix socket, for moatctl's calls to
// the engine (readiness) and to moatd's control API.

#include <chrono>
#include <string>

#include "core/result/result.h"

namespace moat::core::net {

struct HttpResponse {
  unsigned status = 0;
  std::string body;
};

Result<HttpResponse> unix_http_request(const std::string& socket_path, const std::string& method,
                                       const std::string& target, const std::string& body = {},
                                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace moat::core::net
