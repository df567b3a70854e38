#pragma once
// IP prefixes as the engine reads a network's addresses: parsed strictly,
// host bits cleared, compared by containment.

#include <string>

#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include "core/result/result.h"

namespace moat::core::net {

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

}  // namespace moat::core::net
