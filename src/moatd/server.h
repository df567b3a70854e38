#pragma once
// moatd's event loop: the user socket, the control socket, settings reloads
// and a clean stop on SIGTERM.

#include "core/result/result.h"
#include "core/stack/layout.h"

namespace moat::moatd {

struct ServerOptions {
  // Benchmarks only: measures what the audit log costs per request. moatd
  // then records nothing and its status says so on every call.
  bool audit_off_for_benchmark = false;
};

// Runs until SIGTERM or SIGINT; fails if the sockets or the audit log cannot
// be opened. Settings that cannot be loaded leave it running without a
// policy: every request but read-only status ones is refused.
Result<void> run_server(const core::stack::Layout& layout, const ServerOptions& options = {});

}  // namespace moat::moatd
