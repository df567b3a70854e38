#pragma once
// The JSON body of a buffered request, made canonical before anyone judges
// it: for the endpoints the policy reads, the Go types dockerd decodes into
// (docker_api_v141.h) decide which keys exist; every other JSON body is at
// least strict JSON (no duplicate keys, nothing trailing). The request's
// body is replaced by the canonical text with its own length, and the same
// value goes to the policy, so the engine and the policy read one thing.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result/result.h"
#include "moatd/http/canonical_request.h"

namespace moat::moatd {

struct BodyRefusal {
  std::string rule;     // "request.body-not-canonical", "request.body-missing", "request.unexpected-body"
  std::string message;  // what is wrong and what to send instead
};

// The body for the policy (nothing when the request has none, streams it,
// or names an endpoint the policy will refuse anyway), or why the request
// is refused with 400.
Result<std::optional<nlohmann::json>, BodyRefusal> canonicalize_request_body(http::CanonicalRequest& request);

// Replaces the request's body with `body` as the engine will read it (after
// moatd changed what it judged, see owner_label.h), or says why it cannot.
Result<void, BodyRefusal> write_canonical_body(http::CanonicalRequest& request, const nlohmann::json& body);

// Whether this route's body is decoded against an engine schema (and so is
// fit to appear in an audit summary without credentials).
bool has_body_schema(const http::CanonicalRequest& request);

}  // namespace moat::moatd
