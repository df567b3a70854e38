#pragma once
// Sends raw bytes to a unix socket and collects the reply, for tests of
// hostile requests that no HTTP client would send.

#include <chrono>
#include <string>

namespace moat::testing {

// Writes `bytes`, half-closes, and reads until the peer closes or `timeout`
// passes. Runs as the caller (root); see as_uid for a developer.
std::string raw_exchange(const std::string& socket_path, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The HTTP status of a raw reply, or 0.
int http_status(const std::string& reply);

}  // namespace moat::testing
