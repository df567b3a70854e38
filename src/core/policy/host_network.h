#pragma once
// The only network state of the host the policy reads: which addresses the
// host already reaches through which interface, which nameservers it asks,
// and whether it forwards IPv6. A network a developer creates takes a range of addresses onto a new
// bridge in the host's network namespace; if that range covers something the
// host talks to, the host's own traffic goes to the developer's containers.
// Behind an interface so tests can model a host; the real one reads this host.

#include <string>
#include <vector>

#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include "core/result/result.h"

namespace moat::core::policy {

// An IPv4 or IPv6 prefix ("10.0.0.0/8", "fd00::/64"); an address is a full
// prefix (/32, /128).
class IpPrefix {
 public:
  // "10.1.2.0/24" or "fd00::/64", or a bare address when `bare_address`
  // (then "10.1.2.3" is 10.1.2.3/32). Host bits are cleared, as the engine
  // does. Nothing else is accepted.
  static Result<IpPrefix> parse(const std::string& text, bool bare_address);

  bool is_v4() const { return v4_; }
  bool contains(const IpPrefix& other) const;
  bool overlaps(const IpPrefix& other) const { return contains(other) || other.contains(*this); }
  bool is_default_route() const;  // 0.0.0.0/0 or ::/0
  std::string to_string() const;  // "10.1.2.0/24"; an address alone for /32 and /128

  static IpPrefix of(const boost::asio::ip::network_v4& network);
  static IpPrefix of(const boost::asio::ip::network_v6& network);

 private:
  bool v4_ = true;
  boost::asio::ip::network_v4 network4_;
  boost::asio::ip::network_v6 network6_;
};

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
