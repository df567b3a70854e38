#pragma once
// Rule family "build" (POST /build; the context streams in the body and is
// not read). Every occurrence of a query parameter is judged, whichever one
// the engine would use.
// - build.network-host: networkmode=host runs build steps in the host's
//   network namespace; networkmode=container:<id> joins another container's.
// - build.remote: remote=<git repository or URL> makes the engine fetch a
//   context Moat never sees ("client-session", BuildKit's context from the
//   client, is fine).
// - container.cgroup-parent (host_resources.h): cgroupparent.
// BuildKit entitlements (network.host, security.insecure) requested from
// inside a Dockerfile are not visible here: the engine's configuration must
// not grant them.

#include "core/policy/decision.h"
#include "core/policy/policy_context.h"

namespace moat::core::policy {

Decision judge_build(const ApiRequest& request, const PolicyContext& context);

}  // namespace moat::core::policy
