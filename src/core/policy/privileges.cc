#include "core/policy/privileges.h"

#include <algorithm>
#include <cctype>

namespace moat::core::policy {
namespace {

constexpr const char* kEciSetting = "enhancedContainerIsolation";

// Every capability up to CAP_LAST_CAP of Linux 6.x, without "CAP_".
constexpr std::array<std::string_view, 41> kKnownCapabilities = {
    "CHOWN",          "DAC_OVERRIDE",  "DAC_READ_SEARCH", "FOWNER",         "FSETID",
    "KILL",           "SETGID",        "SETUID",          "SETPCAP",        "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN",     "NET_RAW",        "IPC_LOCK",
    "IPC_OWNER",      "SYS_MODULE",    "SYS_RAWIO",       "SYS_CHROOT",     "SYS_PTRACE",
    "SYS_PACCT",      "SYS_ADMIN",     "SYS_BOOT",        "SYS_NICE",       "SYS_RESOURCE",
    "SYS_TIME",       "SYS_TTY_CONFIG", "MKNOD",          "LEASE",          "AUDIT_WRITE",
    "AUDIT_CONTROL",  "SETFCAP",       "MAC_OVERRIDE",    "MAC_ADMIN",      "SYSLOG",
    "WAKE_ALARM",     "BLOCK_SUSPEND", "AUDIT_READ",      "PERFMON",        "BPF",
    "CHECKPOINT_RESTORE"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& set, std::string_view name) {
  return std::find(set.begin(), set.end(), name) != set.end();
}

// Docker accepts "sys_admin", "CAP_SYS_ADMIN" and "SYS_ADMIN" alike.
std::string normalize(const std::string& name) {
  std::string out = name;
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (out.starts_with("CAP_")) out.erase(0, 4);
  return out;
}

Decision judge_capability(const std::string& requested, const std::string& subject,
                          const PolicyContext& context) {
  const std::string name = normalize(requested);
  if (name == "ALL") {
    return Decision::deny("container.capabilities", "",
                          subject + " is not allowed: it includes capabilities that act on the "
                                    "whole host kernel",
                          "");
  }
  if (!contains(kKnownCapabilities, name)) {
    return Decision::deny("container.capabilities", "",
                          subject + " is not allowed: " + requested +
                              " is not a Linux capability",
                          "");
  }
  if (contains(kDefaultCapabilities, name)) return Decision::allow("container.capabilities");
  if (contains(kNamespacedCapabilities, name)) {
    if (context.eci_active) return Decision::allow("container.capabilities");
    return Decision::deny("container.capabilities", kEciSetting,
                          subject + " is not allowed without enhanced container isolation: only "
                                    "Docker's default capabilities are",
                          eci_remedy(context));
  }
  return Decision::deny("container.capabilities", "",
                        subject + " is not allowed: CAP_" + name +
                            " acts on the host kernel, outside any container's user namespace",
                        "");
}

}  // namespace

std::string eci_remedy(const PolicyContext& context) {
  if (context.setting_on(kEciSetting)) {
    return "Enhanced container isolation is on in the settings but not active: an admin can "
           "bring the stack up again with moatctl up.";
  }
  return admin_remedy(kEciSetting, true);
}

Decision judge_container_privileges(const Fields& host_config, const PolicyContext& context) {
  const auto privileged = host_config.boolean("Privileged");
  if (!privileged) return privileged.error();
  if (*privileged && !context.eci_active) {
    return Decision::deny("container.privileged", kEciSetting,
                          "--privileged is not allowed without enhanced container isolation: "
                          "the container would hold every capability and device of the host",
                          eci_remedy(context));
  }
  const auto added = host_config.strings("CapAdd");
  if (!added) return added.error();
  for (const auto& cap : *added) {
    if (const Decision d = judge_capability(cap, "--cap-add " + cap, context); !d.allowed) {
      return d;
    }
  }
  const auto capabilities = host_config.strings("Capabilities");
  if (!capabilities) return capabilities.error();
  for (const auto& cap : *capabilities) {
    const std::string subject = "capability " + cap + " (HostConfig.Capabilities)";
    if (const Decision d = judge_capability(cap, subject, context); !d.allowed) return d;
  }
  return Decision::allow("container.privileges");
}

Decision judge_exec_privileges(const Fields& exec, const PolicyContext& context) {
  const auto privileged = exec.boolean("Privileged");
  if (!privileged) return privileged.error();
  if (*privileged && !context.eci_active) {
    return Decision::deny("exec.privileged", kEciSetting,
                          "docker exec --privileged is not allowed without enhanced container "
                          "isolation: the process would hold every capability of the host",
                          eci_remedy(context));
  }
  return Decision::allow("exec.privileges");
}

}  // namespace moat::core::policy
