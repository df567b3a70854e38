#include "core/policy/container_creator.h"

namespace moat::core::policy {

bool acts_in_container(std::string_view method, const std::vector<std::string>& segments) {
  if (segments.size() < 3 || segments[0] != "containers") return false;
  if (method == "POST" && segments.size() == 3) return segments[2] == "exec" || segments[2] == "attach";
  return method == "GET" && segments.size() == 4 && segments[2] == "attach" && segments[3] == "ws";
}

bool starts_exec(std::string_view method, const std::vector<std::string>& segments) {
  return method == "POST" && segments.size() == 3 && segments[0] == "exec" && segments[2] == "start";
}

Decision judge_container_creator(const std::string& container,
                                 const Result<std::optional<trust::ContainerOwner>>& creator, uid_t caller) {
  if (caller == 0) return Decision::allow("container.other-developer");
  if (!creator) {
    return Decision::deny("container.other-developer", "",
                          "Moat could not tell who created container " + container + " (" +
                              creator.error().message + "), and only its creator may run commands in it",
                          "");
  }
  if (!*creator || (*creator)->uid == caller) return Decision::allow("container.other-developer");
  return Decision::deny("container.other-developer", "",
                        "container " + container + " was created by another developer (uid " +
                            std::to_string((*creator)->uid) +
                            "): only they may run commands in it or attach to it, since it writes their "
                            "bind-mounted directories as them",
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
