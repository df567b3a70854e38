#pragma once
// What the audit log keeps of a request: method, canonical target and, for
// the bodies the policy reads, the canonical body with environment values
// left out (they often carry secrets). Other bodies (registry credentials
// for /auth, archives) are noted by size only.

#include <optional>
#include <string>

#include "moatd/http/canonical_request.h"

namespace moat::moatd {

std::string audit_summary(const http::CanonicalRequest& request);

// The container a request names ("containers/<id>/..."), if any.
std::optional<std::string> audited_container(const http::CanonicalRequest& request);

}  // namespace moat::moatd
