// Parses arbitrary text as an IP prefix, both with and without bare
// addresses, and checks what the policy relies on: a prefix reads back from
// its own text as itself, contains itself, and a bare address is a full
// prefix that its covering prefix contains.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/net/ip_prefix.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using moat::core::net::IpPrefix;
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const bool bare : {false, true}) {
    const auto prefix = IpPrefix::parse(text, bare);
    if (!prefix) {
      if (prefix.error().message.empty()) __builtin_trap();
      continue;
    }
    const auto again = IpPrefix::parse(prefix->to_string(), true);
    if (!again || again->to_string() != prefix->to_string()) __builtin_trap();
    if (!prefix->contains(*again) || !again->contains(*prefix) || !prefix->overlaps(*again)) __builtin_trap();
    if (prefix->is_default_route() && !prefix->contains(*IpPrefix::parse(prefix->is_v4() ? "10.1.2.3" : "fd00::1", true))) {
      __builtin_trap();
    }
  }
  return 0;
}
