#pragma once
// The one table of Docker Engine API v1.41 endpoints the docker CLI uses,
// and what the policy does with each: allow it, judge it (a function of the
// rule families), or refuse it. A method and path not in the table is
// refused ("endpoint.unknown").
//
// Patterns are path segments after the version prefix: "*" is one segment
// (an id or name), "+" one or more (an image or plugin name may contain
// '/': "images/+/json").

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/policy/decision.h"
#include "core/policy/policy_context.h"

namespace moat::core::policy {

// Which bodies moatd reads: kJson bodies are buffered, canonicalised where
// a schema exists and handed to the policy; kStream bodies (image load and
// import, build context, archive upload, plugin create) are forwarded as
// they arrive, unread; kNone endpoints take no body.
enum class BodyKind { kNone, kJson, kStream };

using Judge = Decision (*)(const ApiRequest&, const PolicyContext&);

struct Endpoint {
  std::string_view method;
  std::string_view pattern;  // "containers/*/json"
  std::string_view rule;     // id of the allow decision: "container.inspect"
  BodyKind body = BodyKind::kNone;
  Judge judge = nullptr;  // nullptr: always allowed
};

std::span<const Endpoint> endpoint_table();

// The table entry for a request, or nullptr.
const Endpoint* find_endpoint(std::string_view method, const std::vector<std::string>& segments);

// Segments against a pattern ("*", "+" and literal segments).
bool pattern_matches(std::string_view pattern, const std::vector<std::string>& segments);

BodyKind body_kind(const std::string& method, const std::vector<std::string>& segments);

// Whether an allowed request under `rule` (its endpoint's rule id) is a GET
// or HEAD the engine answers from its own state: forwarding it changes
// nothing and reaches nothing outside the engine, so only its answer must
// wait for the decision's audit record. Not streams (events, logs, stats),
// archives, attach, or anything that may reach a registry.
bool only_reads_engine_state(std::string_view method, std::string_view rule);

}  // namespace moat::core::policy
