#include "core/policy/host_network_files.h"

#include <arpa/inet.h>

#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <sstream>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

namespace moat::core::policy {
namespace {

namespace ip = boost::asio::ip;

Unexpected<Error> unreadable_line(const std::string& path, const std::string& line) {
  return fail(path + " has a line Moat cannot read: " + line);
}

// Exactly `digits` hex digits, as the kernel prints them: no sign, no
// prefix, no spaces (which std::stoul would take).
template <class Unsigned>
bool parse_hex(std::string_view text, std::size_t digits, Unsigned& value) {
  if (text.size() != digits) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return error == std::errc() && end == text.data() + text.size();
}

// The lines of a file, each split at whitespace (the kernel pads its columns).
std::vector<std::vector<std::string>> split_lines(std::string_view text) {
  std::vector<std::vector<std::string>> lines;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string>& words = lines.emplace_back();
    for (std::string word; fields >> word;) words.push_back(std::move(word));
  }
  return lines;
}

std::string joined(const std::vector<std::string>& words) {
  std::string line;
  for (const auto& word : words) line += (line.empty() ? "" : " ") + word;
  return line;
}

HostAddressUse route(const IpPrefix& prefix, const std::string& iface) {
  return {prefix, "the host's route to " + prefix.to_string() + " through " + iface};
}

}  // namespace

Result<std::vector<HostAddressUse>> parse_ipv4_routes(std::string_view text, const std::string& path) {
  const auto lines = split_lines(text);
  std::vector<HostAddressUse> out;
  for (std::size_t i = 1; i < lines.size(); ++i) {  // line 0: the header
    const auto& words = lines[i];
    if (words.empty()) continue;
    std::uint32_t destination = 0;
    std::uint32_t mask = 0;
    if (words.size() < 8 || !parse_hex(words[1], 8, destination) || !parse_hex(words[7], 8, mask)) {
      return unreadable_line(path, joined(words));
    }
    // In network order in memory: the prefix's bits are the high ones once
    // converted to host order, and a mask with a hole is no prefix.
    const std::uint32_t host_mask = ntohl(mask);
    const auto length = static_cast<unsigned short>(std::countl_one(host_mask));
    if (std::popcount(host_mask) != length) return unreadable_line(path, joined(words));
    const IpPrefix prefix = IpPrefix::of(ip::network_v4(ip::address_v4(ntohl(destination)), length));
    if (!prefix.is_default_route()) out.push_back(route(prefix, words[0]));
  }
  return out;
}

Result<std::vector<HostAddressUse>> parse_ipv6_routes(std::string_view text, const std::string& path) {
  std::vector<HostAddressUse> out;
  for (const auto& words : split_lines(text)) {
    if (words.empty()) continue;
    ip::address_v6::bytes_type bytes{};
    unsigned length = 0;
    bool readable = words.size() >= 10 && words[0].size() == 32 && parse_hex(words[1], 2, length) && length <= 128;
    for (std::size_t i = 0; readable && i < bytes.size(); ++i) {
      readable = parse_hex(std::string_view(words[0]).substr(2 * i, 2), 2, bytes[i]);
    }
    if (!readable) return unreadable_line(path, joined(words));
    const IpPrefix prefix =
        IpPrefix::of(ip::network_v6(ip::address_v6(bytes), static_cast<unsigned short>(length)));
    if (!prefix.is_default_route()) out.push_back(route(prefix, words[9]));
  }
  return out;
}

std::vector<HostAddressUse> parse_nameservers(std::string_view text, const std::string& path) {
  std::vector<HostAddressUse> out;
  for (const auto& words : split_lines(text)) {
    if (words.size() < 2 || words[0] != "nameserver") continue;
    const auto prefix = IpPrefix::parse(words[1], /*bare_address=*/true);
    if (!prefix) continue;
    out.push_back({*prefix, "the host's nameserver " + prefix->to_string() + " (" + path + ")"});
  }
  return out;
}

}  // namespace moat::core::policy
