#pragma once
// Rule family "build" (POST /build). Every occurrence of a query parameter
// is judged, whichever one the engine would use.
// - build.network-host: networkmode=host runs build steps in the host's
//   network namespace; networkmode=container:<id> joins another container's.
// - build.remote: remote=<git repository or URL> makes the engine fetch a
//   context Moat never sees ("client-session", BuildKit's context from the
//   client, is fine).
// - container.cgroup-parent (host_resources.h): cgroupparent.
// While moat.registryAccess is on, moatd buffers the context (at most
// kMaxReadBuildContextBytes) and the Dockerfile in it is read: every image
// it pulls (FROM, COPY --from) and every URL it downloads (ADD) must be
// allowed for pulls (registries.h), with build arguments resolved as the
// classic builder resolves them.
// - build.dockerfile-unreadable: the Dockerfile or its context cannot be
//   read with certainty; refused rather than guessed.
// - build.buildkit-unchecked: a BuildKit build (version=2) fetches its
//   Dockerfile over its session, out of Moat's sight.
// - registry.not-allowed, image.reference-invalid, image.import-url-invalid
//   as registries.h words them, prefixed with the Dockerfile line.
// BuildKit entitlements (network.host, security.insecure) requested from
// inside a Dockerfile are not visible here: the engine's configuration must
// not grant them.

#include <cstdint>

#include "core/policy/decision.h"
#include "core/policy/policy_context.h"

namespace moat::core::policy {

// The largest build context moatd reads to find the Dockerfile.
inline constexpr std::uint64_t kMaxReadBuildContextBytes = 64ULL << 20;

// Whether moatd must hand POST /build's context to the policy (buffered)
// instead of streaming it.
bool build_context_must_be_read(const PolicyContext& context);

Decision judge_build(const ApiRequest& request, const PolicyContext& context);

}  // namespace moat::core::policy
