#pragma once
// moatd's half of writing host bind mounts as the developer
// (core/trust/owner_seal.h): every container create it forwards carries its
// caller in the moat.owner label, sealed, or the label empty (kNoOwner),
// whatever the client sent and whatever the image's labels hold.

#include <nlohmann/json.hpp>

#include "core/trust/owner_seal.h"
#include "moatd/http/canonical_request.h"
#include "moatd/peer_credentials.h"

namespace moat::moatd {

// POST /containers/create.
bool creates_container(const http::CanonicalRequest& request);

// Sets kOwnerLabel in a create's canonical body to the caller with their
// seal, unless `seals` is null (moat.bindMountsWriteAs is "containerRange")
// or the caller is root or in root's group: then the label is set empty, and
// container root writes host bind mounts as the container's own
// unprivileged ids. So it is when the seal cannot be had (the error says why).
// Set empty rather than removed: the engine gives a container the labels of
// its image that the create does not set, and an image can carry any label,
// including one copied from another developer's container.
Result<void> set_owner_label(nlohmann::json& create_body, const PeerCredentials& caller,
                             const core::trust::OwnerSeals* seals);

}  // namespace moat::moatd
