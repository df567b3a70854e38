#pragma once
// moatd's event loop: the user socket, the control socket, settings reloads
// and a clean stop on SIGTERM.

#include "core/result/result.h"
#include "core/stack/layout.h"

namespace moat::moatd {

struct ServerOptions {
  // Benchmarks only (bench/moatd_audit_switch.cc; the shipped moatd cannot
  // set it): SIGUSR2 stops recording and SIGUSR1 starts again, so audit on
  // and off are measured in one process, with one heap and one placement.
  bool audit_switch_for_benchmark = false;
  // The engine's egress filter (egress/egress_filter.h) on 127.0.0.1:PORT;
  // 0: none. `moatctl up` picks the port and gives it to dockerd too.
  int egress_port = 0;
};

// Runs until SIGTERM or SIGINT; fails if the sockets or the audit log cannot
// be opened. Settings that cannot be loaded leave it running without a
// policy: every request but read-only status ones is refused.
Result<void> run_server(const core::stack::Layout& layout, const ServerOptions& options = {});

}  // namespace moat::moatd
