#pragma once
// What the audit log keeps of a request: method, canonical target and, for
// the bodies the policy reads, the canonical body with environment values
// left out (they often carry secrets). Other bodies (registry credentials
// for /auth, archives) are noted by size only.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "moatd/http/canonical_request.h"

namespace moat::moatd {

std::string audit_summary(const http::CanonicalRequest& request);
// The same, written from the canonical document the policy judged, leaving
// out the values the engine assumes anyway (null, false, 0, "", [], {}): a
// record keeps what the request asked for and stays short (the CLI's 1.7 KB
// create body comes down to a few hundred bytes).
std::string audit_summary(const http::CanonicalRequest& request, const nlohmann::json& canonical_body);

// The container a request names ("containers/<id>/..."), if any.
std::optional<std::string> audited_container(const http::CanonicalRequest& request);

}  // namespace moat::moatd
