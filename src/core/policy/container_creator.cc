#include "core/policy/container_creator.h"

namespace moat::core::policy {

bool acts_in_container(std::string_view method, const std::vector<std::string>& segments) {
  if (segments.size() < 3 || segments[0] != "containers") return false;
  if (method == "POST" && segments.size() == 3) return segments[2] == "exec" || segments[2] == "attach";
  return method == "GET" && segments.size() == 4 && segments[2] == "attach" && segments[3] == "ws";
}

bool reads_container(std::string_view method, const std::vector<std::string>& segments) {
  if (segments.size() != 3 || segments[0] != "containers") return false;
  if (segments[2] == "archive") return method == "GET" || method == "HEAD";
  if (method != "GET") return false;
  // Not stats: `docker stats` asks for every running container's, and usage
  // figures tell nothing of what is inside.
  return segments[2] == "json" || segments[2] == "export" || segments[2] == "logs" || segments[2] == "top" ||
         segments[2] == "changes";
}

std::optional<std::string> commit_source(std::string_view method, const std::vector<std::string>& segments,
                                         const std::vector<std::pair<std::string, std::string>>& query) {
  if (method != "POST" || segments.size() != 1 || segments[0] != "commit") return std::nullopt;
  // The engine reads the first value; an empty one it refuses itself.
  for (const auto& [key, value] : query) {
    if (key == "container") return value;
  }
  return std::nullopt;
}

bool starts_exec(std::string_view method, const std::vector<std::string>& segments) {
  return method == "POST" && segments.size() == 3 && segments[0] == "exec" && segments[2] == "start";
}

Decision judge_container_creator(const std::string& container,
                                 const Result<std::optional<trust::ContainerOwner>>& creator, uid_t caller,
                                 ContainerUse use) {
  if (caller == 0) return Decision::allow("container.other-developer");
  const bool reads = use == ContainerUse::kRead;
  if (!creator) {
    return Decision::deny("container.other-developer", "",
                          "Moat could not tell who created container " + container + " (" +
                              creator.error().message + "), and only its creator may " +
                              (reads ? "read what is in it" : "run commands in it"),
                          "");
  }
  if (!*creator || (*creator)->uid == caller) return Decision::allow("container.other-developer");
  return Decision::deny("container.other-developer", "",
                        "container " + container + " was created by another developer (uid " +
                            std::to_string((*creator)->uid) + "): " +
                            (reads ? "only they may read what is in it (its files, output, processes and "
                                     "configuration, environment included)"
                                   : "only they may run commands in it or attach to it, since it writes their "
                                     "bind-mounted directories as them"),
                        "");
}

Decision judge_exec_of_unknown_container(const std::string& exec, const std::string& problem, uid_t caller) {
  if (caller == 0) return Decision::allow("container.other-developer");
  return Decision::deny("container.other-developer", "",
                        "Moat could not tell which container exec " + exec + " runs in (" + problem +
                            "), and only that container's creator may start it",
                        "");
}

}  // namespace moat::core::policy
