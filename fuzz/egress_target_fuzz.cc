// The egress filter's request targets (CONNECT host:port and absolute
// http:// URLs): whatever parses has a host the policy can be asked about,
// a port that is not 0, and an authority that reads back as itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "moatd/egress/egress_filter.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using moat::moatd::egress::parse_absolute_http_target;
  using moat::moatd::egress::parse_connect_target;

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto target = parse_connect_target(text)) {
    if (target->host.empty() || target->port == 0 || !target->tunnel) __builtin_trap();
    const auto again = parse_connect_target(target->authority());
    if (!again || again->host != target->host || again->port != target->port) __builtin_trap();
  }
  if (const auto absolute = parse_absolute_http_target(text)) {
    if (absolute->target.host.empty() || absolute->target.port == 0 || absolute->target.tunnel) __builtin_trap();
    if (absolute->origin_form.empty() || absolute->origin_form.front() != '/') __builtin_trap();
    if (absolute->origin_form.find('#') != std::string_view::npos) __builtin_trap();
    // The host and port never come from after the authority.
    const auto again = parse_connect_target(absolute->target.authority());
    if (!again || again->host != absolute->target.host) __builtin_trap();
  }
  return 0;
}
