#pragma once
// Engine features that are off unless an admin turns them on, whole
// endpoint families at a time:
// - endpoint.plugins (setting moat.allowPlugins): /plugins/...; a plugin
//   runs with the engine's privileges. When allowed, a plugin's registry
//   must still pass moat.registryAccess (registries.h).
// - endpoint.swarm (setting moat.allowSwarm): /swarm, /nodes, /services,
//   /tasks, /secrets, /configs; services start containers from specs that
//   these rules do not judge.
// - endpoint.buildkit-grpc: POST /grpc, BuildKit's own API (docker buildx),
//   carries build requests Moat cannot read; always refused. POST /build
//   (with a BuildKit session, POST /session, or the classic builder)
//   remains.

#include "core/policy/decision.h"
#include "core/policy/policy_context.h"

namespace moat::core::policy {

Decision judge_plugins(const ApiRequest& request, const PolicyContext& context);
Decision judge_swarm(const ApiRequest& request, const PolicyContext& context);
Decision judge_buildkit_grpc(const ApiRequest& request, const PolicyContext& context);

}  // namespace moat::core::policy
