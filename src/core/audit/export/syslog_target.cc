#include "core/audit/export/syslog_target.h"

#include <arpa/inet.h>

#include <array>
#include <cctype>

namespace moat::core::audit::exporter {
namespace {

constexpr std::string_view kForms =
    "expected \"\" (off), \"local\", \"tcp://HOST:PORT\" or \"tls://HOST:PORT\"";

Unexpected<Error> refuse(std::string_view text, const std::string& why) {
  std::string shown;
  for (const char c : text.substr(0, 200)) {
    const auto u = static_cast<unsigned char>(c);
    shown += (u < 0x20 || u >= 0x7f) ? '?' : c;
  }
  return fail("syslog target \"" + shown + "\": " + why + "; " + std::string(kForms));
}

bool is_ipv4(const std::string& host) {
  std::array<unsigned char, 4> out{};
  return ::inet_pton(AF_INET, host.c_str(), out.data()) == 1;
}

bool is_ipv6(const std::string& host) {
  std::array<unsigned char, 16> out{};
  return ::inet_pton(AF_INET6, host.c_str(), out.data()) == 1;
}

// RFC 1123 host name: labels of letters, digits and inner hyphens.
bool is_dns_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < host.size(); ++i) {
    const char c = host[i];
    if (c == '.') {
      if (label == 0 || host[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '-') return false;
    if (c == '-' && label == 0) return false;
    if (++label > 63) return false;
  }
  return label != 0 && host.back() != '-';
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5 || text[0] == '0') return std::nullopt;
  unsigned value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string to_string(const SyslogTarget& target) {
  if (target.transport == SyslogTransport::kLocal) return "local";
  const std::string scheme = target.transport == SyslogTransport::kTls ? "tls://" : "tcp://";
  const bool bracket = target.host.find(':') != std::string::npos;
  return scheme + (bracket ? "[" + target.host + "]" : target.host) + ":" + std::to_string(target.port);
}

Result<std::optional<SyslogTarget>> parse_syslog_target(std::string_view text) {
  if (text.empty()) return std::optional<SyslogTarget>{};
  if (text == "local") return std::optional<SyslogTarget>{SyslogTarget{}};
  SyslogTarget target;
  std::string_view rest;
  if (text.starts_with("tcp://")) {
    target.transport = SyslogTransport::kTcp;
    rest = text.substr(6);
  } else if (text.starts_with("tls://")) {
    target.transport = SyslogTransport::kTls;
    rest = text.substr(6);
  } else {
    return refuse(text, "unknown form");
  }
  std::string_view host;
  std::string_view port;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return refuse(text, "\"[\" without \"]\"");
    host = rest.substr(1, close - 1);
    if (close + 1 >= rest.size() || rest[close + 1] != ':') {
      return refuse(text, "the port is missing (\":PORT\" after the host)");
    }
    port = rest.substr(close + 2);
    target.host = std::string(host);
    if (!is_ipv6(target.host)) return refuse(text, "\"" + target.host + "\" in brackets is not an IPv6 address");
    target.host_is_ip = true;
  } else {
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return refuse(text, "the port is missing (\":PORT\" after the host)");
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    target.host = std::string(host);
    if (target.host.empty()) return refuse(text, "the host is missing");
    if (target.host.find(':') != std::string::npos) {
      return refuse(text, "an IPv6 address must be written in brackets, like [::1]");
    }
    if (is_ipv4(target.host)) {
      target.host_is_ip = true;
    } else if (!is_dns_name(target.host) ||
               target.host.find_first_not_of("0123456789.") == std::string::npos) {
      return refuse(text, "the host is not an IPv4 address or a DNS name");
    }
  }
  const auto number = parse_port(port);
  if (!number) return refuse(text, "the port must be a number from 1 to 65535 without leading zeros");
  target.port = *number;
  return std::optional<SyslogTarget>{std::move(target)};
}

}  // namespace moat::core::audit::exporter
