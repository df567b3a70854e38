#pragma once
// Rule family "privileges": Privileged (container and exec) and added
// capabilities (HostConfig.CapAdd and the API 1.40 HostConfig.Capabilities).
//
// - container.privileged / exec.privileged: allowed only while enhanced
//   container isolation is active: moat-runc gives the container its own
//   user namespace, so its privileges act on what that namespace owns.
// - container.capabilities: without ECI only Docker's default set may be
//   added. With ECI, also the capabilities whose kernel checks are made
//   against the container's own user namespace (kNamespacedCapabilities).
//   Never: those that act on kernel-wide state or grant nothing useful
//   inside a user namespace (SYS_MODULE, SYS_RAWIO, SYS_BOOT, SYS_TIME,
//   MAC_ADMIN, MAC_OVERRIDE, BPF, PERFMON, SYSLOG, AUDIT_CONTROL, AUDIT_READ,
//   DAC_READ_SEARCH, LINUX_IMMUTABLE, SYS_PACCT, SYS_TTY_CONFIG, WAKE_ALARM,
//   BLOCK_SUSPEND), nor "ALL". A privileged ECI container holds those only
//   inside its user namespace, where the kernel refuses their use; refusing
//   them by name as well keeps ordinary containers far from that edge.

#include <array>
#include <string>
#include <string_view>

#include "core/policy/body_fields.h"
#include "core/policy/decision.h"
#include "core/policy/policy_context.h"

namespace moat::core::policy {

// Docker's default capability set (moby oci/caps/defaults.go).
inline constexpr std::array<std::string_view, 14> kDefaultCapabilities = {
    "AUDIT_WRITE", "CHOWN",  "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",   "MKNOD",
    "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"};

// Added to the defaults under ECI.
inline constexpr std::array<std::string_view, 10> kNamespacedCapabilities = {
    "CHECKPOINT_RESTORE", "IPC_LOCK",  "IPC_OWNER", "LEASE",     "NET_ADMIN",
    "NET_BROADCAST",      "SYS_ADMIN", "SYS_NICE",  "SYS_PTRACE", "SYS_RESOURCE"};

// HostConfig.Privileged, CapAdd and Capabilities.
Decision judge_container_privileges(const Fields& host_config, const PolicyContext& context);

// The exec body's Privileged.
Decision judge_exec_privileges(const Fields& exec, const PolicyContext& context);

// The remedy when a rule needs ECI active: turn the setting on, or (when it
// is already on but not in force) bring the stack up again.
std::string eci_remedy(const PolicyContext& context);

}  // namespace moat::core::policy
