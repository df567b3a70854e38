#pragma once
// Rule "container.other-developer": running a command in a container (exec,
// and starting an exec another made) and attaching to its processes
// (attach, `docker start -a`) are for the developer who created it. moatd names that developer in the container's
// moat.owner label (trust/owner_seal.h), and with
// moat.bindMountsWriteAs "developer" the container writes its host bind
// mounts as them: another developer driving it would write that developer's
// files as that developer. A container that names no developer (root's, or
// made with "containerRange") is anyone's, as in plain Docker; root may do
// anything.

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/policy/decision.h"
#include "core/result/result.h"
#include "core/trust/owner_seal.h"

namespace moat::core::policy {

// POST /containers/{id}/exec, POST /containers/{id}/attach and GET
// /containers/{id}/attach/ws.
bool acts_in_container(std::string_view method, const std::vector<std::string>& segments);

// POST /exec/{id}/start: an exec its creator made but has not started yet
// runs in their container with whoever starts it on the other end.
bool starts_exec(std::string_view method, const std::vector<std::string>& segments);

// `creator`: whom the container's label names, if anyone; an error when the
// engine's record of it cannot be read (refused: the creator is unknown).
Decision judge_container_creator(const std::string& container,
                                 const Result<std::optional<trust::ContainerOwner>>& creator, uid_t caller);

// An exec whose container the engine did not name (`problem` says why) is
// refused to everyone but root: its creator is unknown.
Decision judge_exec_of_unknown_container(const std::string& exec, const std::string& problem, uid_t caller);

}  // namespace moat::core::policy
