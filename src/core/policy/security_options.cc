#include "core/policy/security_options.h"

#include <algorithm>
#include <string>
#include <vector>

namespace moat::core::policy {
namespace {

bool go_bool(const std::string& text) {
  static const std::array<std::string_view, 12> kValid = {"1", "t", "T", "TRUE", "true", "True",
                                                          "0", "f", "F", "FALSE", "false", "False"};
  return std::find(kValid.begin(), kValid.end(), text) != kValid.end();
}

Decision judge_option(const std::string& option) {
  const std::string subject = "--security-opt " + option;
  if (option == "no-new-privileges") return Decision::allow("container.security-opt");
  if (option == "disable") {
    return Decision::deny("container.selinux-label", "",
                          subject + " is not allowed: it turns off the container's SELinux "
                                    "confinement",
                          "");
  }
  std::size_t split = option.find('=');
  if (split == std::string::npos) split = option.find(':');
  const std::string key = split == std::string::npos ? option : option.substr(0, split);
  const std::string value = split == std::string::npos ? std::string() : option.substr(split + 1);
  if (split != std::string::npos) {
    if (key == "no-new-privileges" && go_bool(value)) {
      return Decision::allow("container.security-opt");
    }
    if (key == "seccomp") {
      if (value == "unconfined") {
        return Decision::deny("container.seccomp", "",
                              subject + " is not allowed: it turns off the system call filter", "");
      }
      return Decision::deny("container.seccomp", "",
                            "--security-opt seccomp=<custom profile> is not allowed: a custom "
                            "profile could allow system calls Docker's default profile blocks",
                            "");
    }
    if (key == "apparmor") {
      if (value == "docker-default") return Decision::allow("container.security-opt");
      if (value == "unconfined") {
        return Decision::deny("container.apparmor", "",
                              subject + " is not allowed: it turns off AppArmor confinement", "");
      }
      return Decision::deny("container.apparmor", "",
                            subject + " is not allowed: only the docker-default AppArmor profile "
                                      "is",
                            "");
    }
    if (key == "label") {
      if (value == "disable") {
        return Decision::deny("container.selinux-label", "",
                              subject + " is not allowed: it turns off the container's SELinux "
                                        "confinement",
                              "");
      }
      return Decision::deny("container.selinux-label", "",
                            subject + " is not allowed: a custom SELinux label could name an "
                                      "unconfined type",
                            "");
    }
    if (key == "systempaths" && value == "unconfined") {
      return Decision::deny("container.system-paths", "",
                            subject + " is not allowed: it would expose /proc and /sys paths "
                                      "Docker hides from every container",
                            "");
    }
  }
  return Decision::deny("container.security-opt", "",
                        subject + " is not allowed: it is not a security option Moat knows", "");
}

template <std::size_t N>
Decision judge_path_list(const Fields& host_config, const std::string& field,
                         const std::array<std::string_view, N>& defaults, bool masked) {
  const auto present = host_config.array(field);
  if (!present) return present.error();
  if (*present == nullptr) return Decision::allow("container.system-paths");  // engine defaults
  const auto paths = host_config.strings(field);
  if (!paths) return paths.error();
  if (paths->empty()) {
    return Decision::deny("container.system-paths", "",
                          "--security-opt systempaths=unconfined (an empty " + field +
                              ") is not allowed: " +
                              (masked ? "it would expose /proc and /sys paths Docker hides from "
                                        "every container"
                                      : "it would make /proc paths writable that Docker keeps "
                                        "read-only in every container"),
                          "");
  }
  for (const auto& path : defaults) {
    if (std::find(paths->begin(), paths->end(), path) == paths->end()) {
      return Decision::deny("container.system-paths", "",
                            field + " without " + std::string(path) + " is not allowed: " +
                                (masked ? "Docker hides it from every container"
                                        : "Docker keeps it read-only in every container"),
                            "");
    }
  }
  return Decision::allow("container.system-paths");
}

}  // namespace

Decision judge_security_options(const Fields& host_config) {
  const auto options = host_config.strings("SecurityOpt");
  if (!options) return options.error();
  for (const auto& option : *options) {
    if (const Decision d = judge_option(option); !d.allowed) return d;
  }
  if (const Decision d =
          judge_path_list(host_config, "MaskedPaths", kDefaultMaskedPaths, true);
      !d.allowed) {
    return d;
  }
  return judge_path_list(host_config, "ReadonlyPaths", kDefaultReadonlyPaths, false);
}

}  // namespace moat::core::policy
