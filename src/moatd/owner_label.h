#pragma once
// moatd's half of writing host bind mounts as the developer
// (core/trust/owner_seal.h): every container create it forwards carries its
// caller in the moat.owner label, sealed, or carries no such label at all,
// whatever the client sent.

#include <nlohmann/json.hpp>

#include "core/trust/owner_seal.h"
#include "moatd/http/canonical_request.h"
#include "moatd/peer_credentials.h"

namespace moat::moatd {

// POST /containers/create.
bool creates_container(const http::CanonicalRequest& request);

// Sets kOwnerLabel in a create's canonical body to the caller with their
// seal, unless `seals` is null (moat.bindMountsWriteAs is "containerRange")
// or the caller is root or in root's group: then the label is removed, and
// container root writes host bind mounts as the container's own
// unprivileged ids. So it is when the seal cannot be had (the error says why).
Result<void> set_owner_label(nlohmann::json& create_body, const PeerCredentials& caller,
                             const core::trust::OwnerSeals* seals);

}  // namespace moat::moatd
