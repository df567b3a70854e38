#pragma once
// Rule family "bind": whether a container may see a host path (a bind mount
// source, or the device of a local volume that binds). Decided here only:
//
// - bind.source-path: the path must be absolute and clean (no "." or ".."
//   components, no NUL), so the policy and the engine read one path.
// - bind.unresolvable: the path must resolve.
// - bind.restricted-path: after resolving symlinks, the path must not be,
//   contain, or lie inside a protected path (the engine socket, Moat's own
//   files...). Paths are compared after resolution and also by device and
//   inode, so another route to the same directory (a second mount of it, a
//   hard link to the socket) is caught too. Nothing an admin can change
//   allows these.
// - bind.outside-shared-directories: the resolved path must lie inside one of
//   filesharingAllowedDirectories ($HOME is the caller's home, $TMP and $TEMP
//   are /tmp).
//
// Limit: the check runs before the engine mounts. A developer who swaps a
// component of an allowed path for a symlink in between wins the race; the
// runtime re-checks the mount sources it is given.

#include <string>
#include <vector>

#include "core/policy/decision.h"
#include "core/policy/policy_context.h"

namespace moat::core::policy {

// `subject` names the request part for messages: "bind mount of /x".
Decision judge_host_path(const std::string& source, const std::string& subject,
                         const PolicyContext& context);

// filesharingAllowedDirectories with $HOME, $TMP and $TEMP expanded; entries
// that cannot be expanded (no home known) are left out.
std::vector<std::string> shared_directories(const PolicyContext& context);

// Component-wise: "/a/b" is within "/a" and "/a/b", not within "/a/bc".
bool path_within(const std::string& path, const std::string& directory);

}  // namespace moat::core::policy
