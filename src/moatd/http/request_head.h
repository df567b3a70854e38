#pragma once
// Parses a complete request head (request line, header fields, empty line)
// into a CanonicalRequest without body. RequestParser finds where the head
// ends; this file decides what it means. Refusals, each with its reason:
// - request line not exactly METHOD SP origin-form SP HTTP/1.1|HTTP/1.0;
//   a well-formed other version gets 505, a method the Docker API does not
//   use (anything but GET HEAD POST PUT DELETE) gets 501;
// - bare CR or bare LF, obs-fold, white space before the colon, a name with
//   a non-token character, a value with a control or non-ASCII byte;
// - more header fields than max_headers (431);
// - any header name twice (even with equal values), except
//   X-Docker-Expose-Session-Grpc-Method, which BuildKit repeats: Go's
//   Header.Get reads the first copy while other readers take the last;
// - Content-Length together with Transfer-Encoding; Content-Length that is
//   not plain decimal digits or overflows 64 bits; Transfer-Encoding other
//   than exactly "chunked"; Transfer-Encoding in HTTP/1.0;
// - a body (Content-Length > 0 or chunked) on GET, HEAD or DELETE: the
//   Docker CLI never sends one and dockerd would ignore it unread;
// - HTTP/1.1 without Host (any value is accepted, dockerd ignores it);
// - Connection options other than close, keep-alive, upgrade (a listed
//   header name would make intermediaries drop that header);
// - Upgrade other than tcp or h2c, or Upgrade without "Connection: upgrade"
//   and the reverse (dockerd hijacks on the Upgrade header alone);
// - Expect other than 100-continue (417).
// Forwarded headers are an allowlist (see kForwardedHeaders in the .cc);
// everything else is read, checked and dropped.

#include <cstddef>
#include <string_view>

#include "core/result/result.h"
#include "moatd/http/canonical_request.h"
#include "moatd/http/refusal.h"

namespace moat::moatd::http {

struct HeadLimits {
  std::size_t max_headers = 100;
};

// head: from the first byte of the request line through the final CRLF CRLF.
Result<CanonicalRequest, Refusal> parse_request_head(std::string_view head,
                                                     const HeadLimits& limits = {});

// True for the lower-case names serialize_request passes to the engine.
bool is_forwarded_header(std::string_view lower_name);

}  // namespace moat::moatd::http
