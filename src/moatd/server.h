#pragma once
// moatd's event loop: the user socket, the control socket, settings reloads
// and a clean stop on SIGTERM.

#include "core/result/result.h"
#include "core/stack/layout.h"

namespace moat::moatd {

// Runs until SIGTERM or SIGINT; fails if the sockets cannot be opened or the
// settings cannot be loaded.
Result<void> run_server(const core::stack::Layout& layout);

}  // namespace moat::moatd
