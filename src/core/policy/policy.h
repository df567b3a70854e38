#pragma once
// The policy's entry point: one parsed Docker API request in, one Decision
// out. The endpoint table (endpoints.h) says which rule family judges a
// request; each rule is decided in its own file (see the headers there).
// decide() never throws: any failure while judging is a refusal
// ("policy.internal-error"), and so is a refusal that lacks a rule or a
// reason.

#include <string_view>

#include "core/policy/decision.h"
#include "core/policy/endpoints.h"
#include "core/policy/policy_context.h"

namespace moat::core::policy {

// The rule of a refusal because judging failed: Moat's own error, which
// moatd answers with 500 and audits as an error, not as a denial.
inline constexpr std::string_view kInternalErrorRule = "policy.internal-error";

Decision decide(const ApiRequest& request, const PolicyContext& context);

}  // namespace moat::core::policy
