#pragma once
// The text of the files the host's network state is read from, turned into
// the address ranges the host uses. Kept apart from the reading so that the
// parsers can be fuzzed (fuzz/host_network_files_fuzz.cc) and tested with
// made-up hosts. `path` only names the file in messages. Written by hand: no
// Debian library parses these files, and netlink would be more code for the
// same main-table routes.

#include <string>
#include <string_view>
#include <vector>

#include "core/policy/host_network.h"
#include "core/result/result.h"

namespace moat::core::policy {

// /proc/net/route: a header line, then "Iface Destination Gateway Flags
// RefCnt Use Metric Mask ...", the destination and mask as the kernel's
// in-memory 32-bit values in 8 hex digits. Default routes are left out. A
// line that does not read so (or a mask that is not a prefix) is an error:
// the caller must not then assume a range is free.
Result<std::vector<HostAddressUse>> parse_ipv4_routes(std::string_view text, const std::string& path);

// /proc/net/ipv6_route: "dest destlen src srclen nexthop metric refcnt use
// flags iface", the destination as 32 hex digits in network order and its
// length in 2. Default routes are left out; an unreadable line is an error.
Result<std::vector<HostAddressUse>> parse_ipv6_routes(std::string_view text, const std::string& path);

// resolv.conf: the addresses of its "nameserver" lines. A line that does not
// name an address is skipped, as the resolver and the engine skip it.
std::vector<HostAddressUse> parse_nameservers(std::string_view text, const std::string& path);

}  // namespace moat::core::policy
