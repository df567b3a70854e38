// The syslog target parser on arbitrary bytes: it must never crash, and
// whatever it accepts must write back to exactly the text it was given
// (one spelling per target), with a port and, for tcp and tls, a host.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/audit/export/syslog_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using moat::core::audit::exporter::parse_syslog_target;
  using moat::core::audit::exporter::SyslogTransport;

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_syslog_target(text);
  if (!parsed) {
    if (parsed.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (!parsed->has_value()) {
    if (!text.empty()) __builtin_trap();
    return 0;
  }
  const auto& target = **parsed;
  if (to_string(target) != text) __builtin_trap();
  if (target.transport != SyslogTransport::kLocal && (target.host.empty() || target.port == 0)) __builtin_trap();
  const auto again = parse_syslog_target(to_string(target));
  if (!again || !again->has_value() || **again != target) __builtin_trap();
  return 0;
}
