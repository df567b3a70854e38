#pragma once
// A refused request: the HTTP status moatd answers with and a message that
// names what is wrong and what the client would have to send instead. The
// connection is closed after a refusal: framing is no longer trustworthy.

#include <string>

namespace moat::moatd::http {

namespace status {
inline constexpr int kBadRequest = 400;
inline constexpr int kPayloadTooLarge = 413;
inline constexpr int kUriTooLong = 414;
inline constexpr int kExpectationFailed = 417;
inline constexpr int kHeaderFieldsTooLarge = 431;
inline constexpr int kNotImplemented = 501;
inline constexpr int kVersionNotSupported = 505;
}  // namespace status

struct Refusal {
  int status = status::kBadRequest;
  std::string message;

  bool operator==(const Refusal&) const = default;
};

}  // namespace moat::moatd::http
