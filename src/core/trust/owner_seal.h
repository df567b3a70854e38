#pragma once
// Whom a container's root writes host directories as. moatd labels every
// container a developer creates with that developer's uid and gid
// (kOwnerLabel) and a seal, and moat-runc maps container root to them on
// the container's host bind mounts, so a build writes into the developer's
// project as the developer, never as root.
//
// The seal is what makes the label believable: each owner's seal is a
// random secret kept in a directory only root can read (one file per uid
// and gid), so no one can make up a label. But anyone can copy one: every
// member of the docker group reads labels (`docker inspect`, `docker
// events`), and an image can carry any label, which the engine gives each
// container made from it unless the create sets that label itself. So moatd
// sets this label on every create it forwards, to its caller or to kNoOwner,
// whatever the client sent or the image holds; a label that reaches the
// engine another way (root at engine.sock, a builder's step, which has no
// host bind mounts) counts only if its seal is the one on file.
// A secret rather than a MAC: moat-runc, which checks seals, then needs no
// crypto library (linking OpenSSL cost each of its four starts per
// container about half a millisecond on this kind of VM, in CPU
// detection alone).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/result/result.h"

namespace moat::core::trust {

inline constexpr const char* kOwnerLabel = "moat.owner";
// The label's value when a container names no owner: moatd sets it so, not
// leaves it out, since the engine would fill a missing label from the image.
inline constexpr std::string_view kNoOwner = "";

struct ContainerOwner {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;

  bool operator==(const ContainerOwner&) const = default;
};

// The owner label among a container's labels, when it names someone: not
// when it is absent or kNoOwner (whether it checks is owner_from's to say).
std::optional<std::string_view> owner_label_in(const std::map<std::string, std::string>& labels);

// Why no label may name these ids (root's uid or gid, or 4294967295, which
// no one can be), or nothing when one may. moatd asks before it labels;
// parse_owner_label refuses any other label.
std::optional<std::string> unnameable(const ContainerOwner& owner);

// The label's shape: "UID:GID:SEAL", decimal ids without leading zeros and
// 32 lower-case hex digits, naming ids unnameable() allows.
Result<std::pair<ContainerOwner, std::string>> parse_owner_label(std::string_view label);

class OwnerSeals {
 public:
  // `dir`: a directory root owns and nobody else may enter.
  explicit OwnerSeals(std::string dir) : dir_(std::move(dir)) {}

  // moatd: the label naming `owner`, with their seal, made on first use.
  Result<std::string> label_for(const ContainerOwner& owner) const;
  // moat-runc: the owner a label names, if its seal is the one on file.
  Result<ContainerOwner> owner_from(std::string_view label) const;

 private:
  std::string path_for(const ContainerOwner& owner) const;
  Result<std::string> read_seal(const ContainerOwner& owner) const;

  std::string dir_;
};

}  // namespace moat::core::trust
