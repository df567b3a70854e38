// moatd: the Docker API guard on the developers' socket.
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/stack/layout.h"
#include "moatd/server.h"

int main(int argc, char** argv) {
  CLI::App app{"moatd: Moat's Docker API guard"};
  std::string root;
  std::string admin_settings;
  app.add_option("--root", root, "keep sockets and state under this directory");
  app.add_option("--admin-settings", admin_settings, "the admin's settings file");
  moat::moatd::ServerOptions options;
  app.add_flag("--audit-off-for-benchmark", options.audit_off_for_benchmark,
               "record nothing (bench/audit_throughput.sh measures what auditing costs)");
  CLI11_PARSE(app, argc, argv);
  const auto layout = moat::core::stack::make_layout(root, admin_settings);
  if (const auto r = moat::moatd::run_server(layout, options); !r) {
    std::cerr << "moatd: " << r.error().message << "\n";
    return 1;
  }
  return 0;
}
