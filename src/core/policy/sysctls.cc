#include "core/policy/sysctls.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace moat::core::policy {
namespace {

constexpr std::array<std::string_view, 8> kIpcSysctls = {
    "kernel.msgmax", "kernel.msgmnb",  "kernel.msgmni", "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};

bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

bool namespaced(const std::string& name) {
  if (std::find(kIpcSysctls.begin(), kIpcSysctls.end(), name) != kIpcSysctls.end()) return true;
  if (name.starts_with("fs.mqueue.")) return true;
  if (name.starts_with("net.core.")) {
    return name == "net.core.somaxconn" || name.starts_with("net.core.xfrm_");
  }
  return name.starts_with("net.");
}

bool smuggles(const std::string& value) {
  return std::any_of(value.begin(), value.end(), [](char c) {
    return c == '+' || c == '=' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
}

}  // namespace

Decision judge_sysctls(const Fields& host_config) {
  const auto sysctls = host_config.string_map("Sysctls");
  if (!sysctls) return sysctls.error();
  for (const auto& [name, value] : *sysctls) {
    const std::string subject = "--sysctl " + name + "=" + value;
    if (!valid_name(name)) {
      return Decision::deny("container.sysctl", "",
                            subject + " is not allowed: a sysctl name may contain only letters, "
                                      "digits, '.', '_' and '-'",
                            "");
    }
    if (!namespaced(name)) {
      return Decision::deny("container.sysctl", "",
                            subject + " is not allowed: " + name +
                                " is not kept per container, so it would change the host kernel",
                            "");
    }
    if (smuggles(value)) {
      return Decision::deny("container.sysctl", "",
                            subject + " is not allowed: a value with '+', '=' or control "
                                      "characters could smuggle a second setting "
                                      "(CVE-2022-0811)",
                            "");
    }
  }
  return Decision::allow("container.sysctl");
}

}  // namespace moat::core::policy
