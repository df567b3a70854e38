#include "core/net/ip_prefix.h"

#include <boost/asio/ip/address.hpp>

namespace moat::core::net {

namespace ip = boost::asio::ip;

Result<IpPrefix> IpPrefix::parse(const std::string& text, bool bare_address) {
  const auto not_one = [&text](const char* what) {
    return fail("\"" + text + "\" is not " + std::string(what));
  };
  // A zone ("fe80::1%eth0") names an interface, never a range of addresses.
  if (text.find('%') != std::string::npos) return not_one("an IP address or prefix");
  boost::system::error_code ec;
  if (text.find('/') == std::string::npos) {
    if (!bare_address) return not_one("an IP prefix such as 10.1.0.0/16");
    const auto address = ip::make_address(text, ec);
    if (ec) return not_one("an IP address");
    if (address.is_v4()) return of(ip::network_v4(address.to_v4(), 32));
    return of(ip::network_v6(address.to_v6(), 128));
  }
  if (text.find(':') == std::string::npos) {
    const auto network = ip::make_network_v4(text, ec);
    if (ec) return not_one("an IP prefix such as 10.1.0.0/16");
    return of(network.canonical());
  }
  const auto network = ip::make_network_v6(text, ec);
  if (ec) return not_one("an IP prefix such as fd00:1::/64");
  return of(network.canonical());
}

IpPrefix IpPrefix::of(const ip::network_v4& network) {
  IpPrefix prefix;
  prefix.v4_ = true;
  prefix.network4_ = network.canonical();
  return prefix;
}

IpPrefix IpPrefix::of(const ip::network_v6& network) {
  IpPrefix prefix;
  prefix.v4_ = false;
  prefix.network6_ = network.canonical();
  return prefix;
}

bool IpPrefix::contains(const IpPrefix& other) const {
  if (v4_ != other.v4_) return false;
  if (v4_) return network4_ == other.network4_ || other.network4_.is_subnet_of(network4_);
  return network6_ == other.network6_ || other.network6_.is_subnet_of(network6_);
}

bool IpPrefix::is_default_route() const {
  return v4_ ? network4_.prefix_length() == 0 : network6_.prefix_length() == 0;
}

std::string IpPrefix::to_string() const {
  if (v4_) {
    return network4_.prefix_length() == 32 ? network4_.address().to_string() : network4_.to_string();
  }
  return network6_.prefix_length() == 128 ? network6_.address().to_string() : network6_.to_string();
}

}  // namespace moat::core::net
