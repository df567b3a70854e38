#pragma once
// The only network state of the host the policy reads: which addresses the
// host already reaches through which interface, which nameservers it asks,
// and whether it forwards IPv6. A network a developer creates takes a range of addresses onto a new
// bridge in the host's network namespace; if that range covers something the
// host talks to, the host's own traffic goes to the developer's containers.
// Behind an interface so tests can model a host; the real one reads this host.

#include <string>
#include <vector>

#include "core/net/ip_prefix.h"
#include "core/result/result.h"

namespace moat::core::policy {

using net::IpPrefix;

// Something the host already uses addresses for, and how to say so:
// "the host's route to 10.0.0.0/8 through eth0", "the host's nameserver
// 10.0.0.53 (/etc/resolv.conf)".
struct HostAddressUse {
  IpPrefix prefix;
  std::string description;
};

class HostNetwork {
 public:
  virtual ~HostNetwork() = default;

  // The host's routes other than the default routes, the addresses of its
  // interfaces, and its nameservers. An error when any of them cannot be
  // read: the caller must not then assume a range is free.
  virtual Result<std::vector<HostAddressUse>> addresses_in_use() const = 0;

  // net.ipv6.conf.all.forwarding: whether the host routes IPv6 between its
  // interfaces. An error when it cannot be read (no IPv6 in the kernel).
  virtual Result<bool> forwards_ipv6() const = 0;
};

// This host, as seen from the calling process's network namespace (moatd's
// is the host's, where the engine creates its bridges).
const HostNetwork& real_host_network();

}  // namespace moat::core::policy
