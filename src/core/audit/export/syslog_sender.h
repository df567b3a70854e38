#pragma once
// Delivers syslog messages to a target: datagrams to a local unix socket, or
// octet-counted frames over TCP or TLS. TLS is 1.2 or later, and the
// collector's certificate must chain to the configured CA and name the
// target's host (DNS name or IP address).
//
// Plain syslog over TCP has no acknowledgement, so "taken" can only be
// judged from below: confirm() waits until the collector's host has
// acknowledged every byte sent and the connection is still open. A collector
// that closed the connection is noticed before the next send, so messages
// are not written into a connection it has already left.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/audit/export/syslog_target.h"
#include "core/result/result.h"

namespace moat::core::audit::exporter {

struct SenderOptions {
  SyslogTarget target;
  std::string ca_file;           // PEM; required for kTls
  std::string client_cert_file;  // PEM; optional, with client_key_file
  std::string client_key_file;
  std::string local_socket = "/dev/log";
  std::chrono::milliseconds timeout{5000};  // for connect, handshake, each write and confirm
};

class SyslogSender {
 public:
  virtual ~SyslogSender() = default;
  // Sends one message, connecting first if there is no usable connection.
  virtual Result<void> send(std::string_view message) = 0;
  // Succeeds when everything sent so far has reached the collector's host.
  virtual Result<void> confirm() = 0;
  // Drops the connection; the next send connects again.
  virtual void disconnect() = 0;
};

// Refuses unusable options (tls without a CA, an unreadable CA or client
// key) here, before anything is sent.
Result<std::unique_ptr<SyslogSender>> make_syslog_sender(const SenderOptions& options);

}  // namespace moat::core::audit::exporter
