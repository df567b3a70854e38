#include "runtime/spec/capabilities.h"
#include "core/sys/read_file.h"

#include <array>
#include <charconv>

namespace moat::runtime::spec {
namespace {

// Index = bit number, as in <linux/capability.h> up to CAP_LAST_CAP (40).
constexpr std::array<std::string_view, 41> kNames{
    "CAP_CHOWN",           "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
    "CAP_FSETID",          "CAP_KILL",           "CAP_SETGID",          "CAP_SETUID",
    "CAP_SETPCAP",         "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",       "CAP_NET_RAW",        "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",      "CAP_SYS_RAWIO",      "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",       "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",    "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
    "CAP_LEASE",           "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",      "CAP_SYSLOG",          "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",   "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE"};

}  // namespace

std::optional<unsigned> capability_bit(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) {
      return static_cast<unsigned>(i);
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> capability_name(unsigned bit) {
  if (bit >= kNames.size()) {
    return std::nullopt;
  }
  return kNames[bit];
}

Result<std::uint64_t> bounding_set_from_status(std::string_view status_text) {
  constexpr std::string_view kKey = "CapBnd:";
  std::size_t pos = 0;
  while (pos < status_text.size()) {
    std::size_t end = status_text.find('\n', pos);
    if (end == std::string_view::npos) {
      end = status_text.size();
    }
    std::string_view line = status_text.substr(pos, end - pos);
    if (line.starts_with(kKey)) {
      line.remove_prefix(kKey.size());
      while (!line.empty() && (line.front() == '\t' || line.front() == ' ')) {
        line.remove_prefix(1);
      }
      std::uint64_t mask = 0;
      const auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), mask, 16);
      if (ec != std::errc() || ptr != line.data() + line.size() || line.empty()) {
        return fail("CapBnd is not a hexadecimal mask: \"" + std::string(line) + "\"");
      }
      return mask;
    }
    pos = end + 1;
  }
  return fail("no CapBnd line in the process status");
}

Result<std::uint64_t> host_bounding_set() {
  auto text = core::sys::read_file("/proc/self/status");
  if (!text) {
    return unexpected(text.error());
  }
  auto mask = bounding_set_from_status(*text);
  if (!mask) {
    return unexpected(mask.error().with_context("reading the host capability bounding set"));
  }
  return mask;
}

}  // namespace moat::runtime::spec
