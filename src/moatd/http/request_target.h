#pragma once
// The request-target of a Docker API request: one accepted spelling per
// path, so a path-matching policy and dockerd's router cannot disagree.
//
// Path rules (each refusal says which):
// - origin-form only ("/..."); absolute-form and asterisk-form are refused;
// - no '%' at all: Docker object names never need escapes, and refusing them
//   removes the "%2F" and "%2e%2e" families of tricks;
// - no empty segment ("//"), no "." or ".." segment, no trailing slash
//   (dockerd 20.10's router would clean or redirect these: we refuse instead);
// - only visible ASCII; no '#';
// - a first segment shaped like a version ("v" or "V" then a digit or '.')
//   must be exactly v<digits>.<digits> ("/v1.41/..."): "/v1..41/", "/v1/",
//   "/V1.41/" and "/v1.41.0/" all match dockerd's "v[0-9.]+" or 404 there,
//   and a policy keyed on the canonical path must never see them.
// Query rules: split on '&' only and refuse ';' (Go before 1.17 also split
// on it, later versions drop such pairs); '+' decodes to a space like Go's
// url.ParseQuery; a malformed escape, a decoded NUL or an empty key is
// refused; repeated keys are kept in order for the policy to decide.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result/result.h"
#include "moatd/http/canonical_request.h"
#include "moatd/http/refusal.h"

namespace moat::moatd::http {

struct RequestTarget {
  std::optional<ApiVersion> api_version;
  std::vector<std::string> segments;
  std::vector<QueryParam> query;

  bool operator==(const RequestTarget&) const = default;
};

Result<RequestTarget, Refusal> parse_target(std::string_view target);

std::string format_path(const std::optional<ApiVersion>& version,
                        const std::vector<std::string>& segments);
void append_path(std::string& out, const std::optional<ApiVersion>& version,
                 const std::vector<std::string>& segments);
// key=value pairs joined by '&', every byte but A-Z a-z 0-9 - . _ ~ escaped.
void append_query(std::string& out, const std::vector<QueryParam>& query);

}  // namespace moat::moatd::http
