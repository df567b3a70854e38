#pragma once
// Rule family "security options": HostConfig.SecurityOpt, MaskedPaths and
// ReadonlyPaths. SecurityOpt is read the way dockerd 20.10 reads it
// ("key=value", the deprecated "key:value", "no-new-privileges", "disable").
//
// - container.seccomp: seccomp=unconfined turns the filter off; any other
//   value is a custom profile, which could allow what Docker's default
//   profile blocks.
// - container.apparmor: only the docker-default profile (or none named).
// - container.selinux-label: label=disable or any custom label (a label can
//   name an unconfined SELinux type).
// - container.system-paths: systempaths=unconfined, and MaskedPaths or
//   ReadonlyPaths that leave out any of Docker's defaults (the CLI sends
//   empty arrays for systempaths=unconfined).
// - container.security-opt: an option Moat does not know.
// no-new-privileges (with or without a boolean) is fine.

#include <array>
#include <string_view>

#include "core/policy/body_fields.h"
#include "core/policy/decision.h"

namespace moat::core::policy {

// moby oci/defaults.go (v20.10).
inline constexpr std::array<std::string_view, 11> kDefaultMaskedPaths = {
    "/proc/asound",       "/proc/acpi",        "/proc/kcore",
    "/proc/keys",         "/proc/latency_stats", "/proc/timer_list",
    "/proc/timer_stats",  "/proc/sched_debug", "/proc/scsi",
    "/sys/firmware",      "/sys/devices/virtual/powercap"};
inline constexpr std::array<std::string_view, 5> kDefaultReadonlyPaths = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};

Decision judge_security_options(const Fields& host_config);

}  // namespace moat::core::policy
