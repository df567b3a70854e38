#pragma once
// A small blocking HTTP/1.1 client over a unix socket, for moatctl's calls to
// the engine (readiness) and to moatd's control API, and moat-runc's audit
// records.

#include <chrono>
#include <memory>
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

// A request written at once whose response is read later, so the caller
// works while the server answers. `timeout` bounds sending in send() and,
// from its call, waiting in response().
class PendingHttpRequest {
 public:
  static PendingHttpRequest send(const std::string& socket_path, const std::string& method,
                                 const std::string& target, const std::string& body = {},
                                 std::chrono::milliseconds timeout = std::chrono::seconds(10));
  PendingHttpRequest(PendingHttpRequest&&) noexcept;
  PendingHttpRequest& operator=(PendingHttpRequest&&) noexcept;
  ~PendingHttpRequest();

  // Waits for the response; a request that could not be sent fails here.
  // Once only.
  Result<HttpResponse> response();

 private:
  struct Exchange;
  explicit PendingHttpRequest(std::unique_ptr<Exchange> exchange);
  std::unique_ptr<Exchange> exchange_;
};

}  // namespace moat::core::net
