#pragma once
// Rule "image.load-blocked" (setting blockDockerLoad): images that do not
// come from a registry. POST /images/load (docker load) and POST
// /images/create without fromImage (docker import, from the request body or
// a URL the engine fetches) are refused while blockDockerLoad is true.
// Pulls (fromImage) and import URLs are also judged by the registry
// allowlist (registries.h, setting moat.registryAccess).

#include "core/policy/decision.h"
#include "core/policy/policy_context.h"

namespace moat::core::policy {

Decision judge_image_load(const ApiRequest& request, const PolicyContext& context);
Decision judge_image_create(const ApiRequest& request, const PolicyContext& context);

}  // namespace moat::core::policy
