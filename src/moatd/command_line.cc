#include "moatd/command_line.h"

#include <malloc.h>

#include <iostream>

#include <CLI/CLI.hpp>

#include "core/stack/layout.h"

namespace moat::moatd {

int moatd_main(int argc, char** argv, const ServerOptions& options) {
  CLI::App app{"moatd: Moat's Docker API guard"};
  std::string root;
  std::string admin_settings;
  app.add_option("--root", root, "keep sockets and state under this directory");
  app.add_option("--admin-settings", admin_settings, "the admin's settings file");
  ServerOptions server_options = options;
  app.add_option("--egress-port", server_options.egress_port,
                 "serve the engine's egress filter on 127.0.0.1:PORT (0: none)")
      ->check(CLI::Range(0, 65535));
  CLI11_PARSE(app, argc, argv);
  // A request allocates and frees a few hundred KB; with glibc's default trim
  // threshold the heap top shrank and grew again with every request, one brk
  // each way (perf: 3 % of moatd's CPU under load). Kept memory stays small.
  ::mallopt(M_TRIM_THRESHOLD, 64 << 20);
  ::mallopt(M_TOP_PAD, 1 << 20);
  // Setting those also fixes glibc's mmap threshold at 128 KB, so a request's
  // 256 KB relay buffers were mapped and unmapped each time (perf: munmap
  // alone 14 % of moatd's CPU for /_ping at 8 connections).
  ::mallopt(M_MMAP_THRESHOLD, 4 << 20);
  const auto layout = core::stack::make_layout(root, admin_settings);
  if (const auto r = run_server(layout, server_options); !r) {
    std::cerr << "moatd: " << r.error().message << "\n";
    return 1;
  }
  return 0;
}

}  // namespace moat::moatd
