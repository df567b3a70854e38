#pragma once
// Rule "container.other-developer": what is in a developer's container is
// theirs. Running a command in it (exec, and starting an exec another made)
// and attaching to its processes (attach, `docker start -a`) are for the
// developer who created it: with moat.bindMountsWriteAs "developer" the
// container writes its host bind mounts as them, and another developer
// driving it would write that developer's files as that developer. Reading
// it is theirs too: its files (`docker cp`, export, commit, and diff, which
// lists what changed), its output (logs), its processes (top) and its
// configuration (inspect, whose environment often holds a token) hold what
// they put in it.
// moatd names the creator in the container's moat.owner label
// (trust/owner_seal.h). A container that names no developer (root's, or made
// with "containerRange") is anyone's, as in plain Docker; root may do
// anything.

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/policy/decision.h"
#include "core/result/result.h"
#include "core/trust/owner_seal.h"

namespace moat::core::policy {

// POST /containers/{id}/exec, POST /containers/{id}/attach and GET
// /containers/{id}/attach/ws.
bool acts_in_container(std::string_view method, const std::vector<std::string>& segments);

// GET and HEAD /containers/{id}/archive, and GET /containers/{id}/json,
// export, logs, top and changes. (POST /commit names its container in the
// query: moatd asks commit_source.)
bool reads_container(std::string_view method, const std::vector<std::string>& segments);

// The container POST /commit makes an image of (its "container" query
// value), if the request is one.
std::optional<std::string> commit_source(std::string_view method, const std::vector<std::string>& segments,
                                         const std::vector<std::pair<std::string, std::string>>& query);

// What a developer does with a container, for the refusal's words.
enum class ContainerUse { kActIn, kRead };

// POST /exec/{id}/start: an exec its creator made but has not started yet
// runs in their container with whoever starts it on the other end.
bool starts_exec(std::string_view method, const std::vector<std::string>& segments);

// `creator`: whom the container's label names, if anyone; an error when the
// engine's record of it cannot be read (refused: the creator is unknown).
Decision judge_container_creator(const std::string& container,
                                 const Result<std::optional<trust::ContainerOwner>>& creator, uid_t caller,
                                 ContainerUse use = ContainerUse::kActIn);

// An exec whose container the engine did not name (`problem` says why) is
// refused to everyone but root: its creator is unknown.
Decision judge_exec_of_unknown_container(const std::string& exec, const std::string& problem, uid_t caller);

}  // namespace moat::core::policy
