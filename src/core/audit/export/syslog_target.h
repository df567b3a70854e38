#pragma once
// Where audit records are exported (setting moat.audit.syslog):
//
//   ""                 off
//   "local"            RFC 5424 datagrams to the local syslog socket (/dev/log)
//   "tcp://HOST:PORT"  RFC 6587 octet-counted frames over plain TCP
//   "tls://HOST:PORT"  RFC 5425 frames over TLS 1.2 or later
//
// HOST is an IPv4 address, an IPv6 address in brackets or a DNS name; PORT
// is 1..65535 without leading zeros. Nothing else is accepted (no user
// part, path, query or surrounding space): a target that says more than
// this parser understands would be read differently by someone else.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result/result.h"

namespace moat::core::audit::exporter {

enum class SyslogTransport { kLocal, kTcp, kTls };

struct SyslogTarget {
  SyslogTransport transport = SyslogTransport::kLocal;
  std::string host;        // without brackets; empty for kLocal
  std::uint16_t port = 0;  // 0 for kLocal
  bool host_is_ip = false;
  bool operator==(const SyslogTarget&) const = default;
};

// The setting's text back: "local", "tcp://127.0.0.1:6514", "tls://[::1]:6514".
std::string to_string(const SyslogTarget& target);

// nullopt for "" (export off). The error says what is wrong and what the
// accepted forms are.
Result<std::optional<SyslogTarget>> parse_syslog_target(std::string_view text);

}  // namespace moat::core::audit::exporter
