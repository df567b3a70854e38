#pragma once
// moatd's command line, shared by the shipped moatd and its benchmark build.

#include "moatd/server.h"

namespace moat::moatd {

// Parses --root and --admin-settings and runs the server; the exit status.
int moatd_main(int argc, char** argv, const ServerOptions& options);

}  // namespace moat::moatd
