#include "core/policy/host_network.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <system_error>

#include <boost/asio/ip/address.hpp>

#include "core/policy/host_network_files.h"
#include "core/sys/read_file.h"

namespace moat::core::policy {

namespace ip = boost::asio::ip;

namespace {

// A file that is not there when the host lacks what it describes (IPv6,
// systemd-resolved): nothing, rather than an error.
Result<std::optional<std::string>> read_if_present(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) return std::optional<std::string>();
  auto text = sys::read_file(path);
  if (!text) return unexpected(text.error());
  return std::optional<std::string>(std::move(*text));
}

Result<std::vector<HostAddressUse>> ipv4_routes() {
  const std::string path = "/proc/net/route";
  const auto text = sys::read_file(path);
  if (!text) return unexpected(text.error());
  return parse_ipv4_routes(*text, path);
}

// Absent when the kernel has no IPv6, and then there is nothing to overlap.
Result<std::vector<HostAddressUse>> ipv6_routes() {
  const std::string path = "/proc/net/ipv6_route";
  const auto text = read_if_present(path);
  if (!text) return unexpected(text.error());
  if (!*text) return std::vector<HostAddressUse>();
  return parse_ipv6_routes(**text, path);
}

Result<std::vector<HostAddressUse>> interface_addresses() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    return fail("cannot read the host's interface addresses: " + std::generic_category().message(errno));
  }
  const std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> owned(list, &::freeifaddrs);
  std::vector<HostAddressUse> out;
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr) continue;
    const std::string iface = entry->ifa_name != nullptr ? entry->ifa_name : "?";
    if (entry->ifa_addr->sa_family == AF_INET) {
      sockaddr_in in{};
      std::memcpy(&in, entry->ifa_addr, sizeof in);
      const IpPrefix prefix = IpPrefix::of(ip::network_v4(ip::address_v4(ntohl(in.sin_addr.s_addr)), 32));
      out.push_back({prefix, "the host's address " + prefix.to_string() + " on " + iface});
    } else if (entry->ifa_addr->sa_family == AF_INET6) {
      sockaddr_in6 in6{};
      std::memcpy(&in6, entry->ifa_addr, sizeof in6);
      ip::address_v6::bytes_type bytes{};
      std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
      const IpPrefix prefix = IpPrefix::of(ip::network_v6(ip::address_v6(bytes), 128));
      out.push_back({prefix, "the host's address " + prefix.to_string() + " on " + iface});
    }
  }
  return out;
}

// The files the engine takes nameservers from: /etc/resolv.conf, and
// systemd-resolved's list of upstream servers where the host runs it.
Result<std::vector<HostAddressUse>> nameservers() {
  std::vector<HostAddressUse> out;
  for (const std::string path : {"/etc/resolv.conf", "/run/systemd/resolve/resolv.conf"}) {
    const auto text = read_if_present(path);
    if (!text) return unexpected(text.error());
    if (!*text) continue;
    auto found = parse_nameservers(**text, path);
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

class RealHostNetwork final : public HostNetwork {
 public:
  Result<std::vector<HostAddressUse>> addresses_in_use() const override {
    std::vector<HostAddressUse> all;
    for (const auto reader : {&ipv4_routes, &ipv6_routes, &interface_addresses, &nameservers}) {
      auto part = reader();
      if (!part) return unexpected(part.error());
      all.insert(all.end(), part->begin(), part->end());
    }
    return all;
  }

  Result<bool> forwards_ipv6() const override {
    const std::string path = "/proc/sys/net/ipv6/conf/all/forwarding";
    const auto text = sys::read_file(path);
    if (!text) return unexpected(text.error());
    if (*text != "0\n" && *text != "1\n") return fail(path + " does not read 0 or 1");
    return *text == "1\n";
  }
};

}  // namespace

const HostNetwork& real_host_network() {
  static const RealHostNetwork network;
  return network;
}

}  // namespace moat::core::policy
