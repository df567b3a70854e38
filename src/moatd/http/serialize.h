#pragma once
// Rebuilds the bytes moatd forwards to the engine from a CanonicalRequest,
// so the engine parses exactly what the policy judged:
// - the request line from the canonical method, path and re-encoded query;
// - the forwarded headers (an allowlist, see request_head.h) in their order,
//   names in canonical capitalisation;
// - Connection re-expressed from the flags: "close" when an HTTP/1.1 client
//   asked to close, "keep-alive" for a persistent HTTP/1.0 client, "Upgrade"
//   plus the Upgrade header for attach/exec/session hijacks;
// - framing written by moatd itself: a buffered body always gets its own
//   Content-Length (POST and PUT also when empty); a streamed body keeps
//   Content-Length when the length is known, else Transfer-Encoding: chunked
//   and the proxy re-encodes every piece with encode_chunk.
// Expect is never forwarded: the proxy answers 100 Continue itself.

#include <string>
#include <string_view>

#include "moatd/http/canonical_request.h"

namespace moat::moatd::http {

// Head and body of a buffered request (body_streamed must be false).
std::string serialize_request(const CanonicalRequest& request);

// Only the head, ending with the empty line. For a streamed body the body
// pieces follow; for a buffered one serialize_request adds the body.
std::string serialize_head(const CanonicalRequest& request);

// One chunk of chunked transfer coding. Empty data gives "" (an empty chunk
// would end the body); end the body with last_chunk().
std::string encode_chunk(std::string_view data);
std::string_view last_chunk();

// "x-registry-auth" -> "X-Registry-Auth".
std::string canonical_header_name(std::string_view lower_name);

}  // namespace moat::moatd::http
