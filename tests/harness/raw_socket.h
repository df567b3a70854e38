#pragma once
// Sends raw bytes to a unix socket and collects the reply, for tests of
// hostile requests that no HTTP client would send.

#include <chrono>
#include <string>
#include <vector>

namespace moat::testing {

// Writes `bytes`, half-closes, and reads until the peer closes or `timeout`
// passes. With `as_user`, the connection is made with that user's uid and
// gid and the docker group (what SO_PEERCRED reports to the server);
// otherwise as the test process (root).
std::string raw_exchange(const std::string& socket_path, const std::string& bytes,
                         const std::string& as_user = "",
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Opens `count` connections as `as_user` and leaves them idle; the caller
// closes the descriptors. Stops at the first failure (fewer returned).
std::vector<int> open_connections(const std::string& socket_path, std::size_t count, const std::string& as_user);

// The HTTP status of a raw reply, or 0.
int http_status(const std::string& reply);

// The body of a raw reply sent without chunking (ask with HTTP/1.0).
std::string http_body(const std::string& reply);

}  // namespace moat::testing
