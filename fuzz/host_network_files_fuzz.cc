// The files moatd reads the host's network from (/proc/net/route,
// /proc/net/ipv6_route, resolv.conf): the kernel's and root's, but each is
// read by a parser of Moat's. Properties: nothing throws or crashes; every
// range found is one the policy can compare (it prints and parses back to
// itself), none is a default route for the route files, and a route file
// that reads is read the same with blank lines added after its header.
// Input: byte 0 picks the file; the rest is its content.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/policy/host_network_files.h"

namespace {

using namespace moat::core::policy;

void check_uses(const std::vector<HostAddressUse>& uses, bool routes) {
  for (const auto& use : uses) {
    if (routes && use.prefix.is_default_route()) __builtin_trap();
    const auto again = moat::core::net::IpPrefix::parse(use.prefix.to_string(), /*bare_address=*/true);
    if (!again || !(again->contains(use.prefix) && use.prefix.contains(*again))) __builtin_trap();
    if (use.description.find(use.prefix.to_string()) == std::string::npos) __builtin_trap();
  }
}

// The text with an empty line after its first line.
std::string with_blank_line(std::string_view text) {
  const auto end_of_first = text.find('\n');
  if (end_of_first == std::string_view::npos) return std::string(text) + "\n\n";
  return std::string(text.substr(0, end_of_first + 1)) + "\n" + std::string(text.substr(end_of_first + 1));
}

using RouteParser = moat::Result<std::vector<HostAddressUse>> (*)(std::string_view, const std::string&);

void check_route_file(std::string_view text, RouteParser parse, const std::string& path) {
  const auto routes = parse(text, path);
  if (!routes) return;
  check_uses(*routes, true);
  const auto again = parse(with_blank_line(text), path);
  if (!again || again->size() != routes->size()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0:
      check_route_file(text, &parse_ipv4_routes, "/proc/net/route");
      break;
    case 1:
      check_route_file(text, &parse_ipv6_routes, "/proc/net/ipv6_route");
      break;
    default:
      check_uses(parse_nameservers(text, "/etc/resolv.conf"), false);
      break;
  }
  return 0;
}
