#include "moatd/command_line.h"

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
  CLI11_PARSE(app, argc, argv);
  const auto layout = core::stack::make_layout(root, admin_settings);
  if (const auto r = run_server(layout, options); !r) {
    std::cerr << "moatd: " << r.error().message << "\n";
    return 1;
  }
  return 0;
}

}  // namespace moat::moatd
