#include <unistd.h>

#include <chrono>
#include <iostream>

#include "cli/commands.h"
#include "cli/stack_probe.h"
#include "cli/stack_processes.h"
#include "cli/verify_commands.h"
#include "core/settings/settings_state.h"
#include "core/sys/process.h"
#include "core/trust/settings_signature.h"

namespace moat::cli {

int run_up(const StackOptions& options) {
  if (::geteuid() != 0) {
    std::cerr << "moatctl up: must run as root: it starts the engine\n";
    return 1;
  }
  const auto started = std::chrono::steady_clock::now();
  const auto layout = core::stack::make_layout(options.root, options.admin_settings);
  if (const auto signed_settings = core::trust::check_settings_signature(layout); !signed_settings) {
    std::cerr << signed_settings.error().message << "\nmoatctl up: refusing to start the engine with these settings\n";
    return 2;
  }
  const auto settings = core::settings::load_settings_state(
      layout.admin_settings, layout.user_settings(),
      layout.admin_settings == core::stack::kDefaultAdminSettings);
  if (!settings) {
    for (const auto& problem : settings.error()) std::cerr << problem << "\n";
    std::cerr << "moatctl up: refusing to start the engine with these settings; "
                 "`moatctl settings validate FILE` checks a fix\n";
    return 2;
  }
  if (const auto code = check_installed_code(layout, *settings); !code) {
    std::cerr << code.error().message << "\n";
    return 1;
  }
  if (const auto r = prepare_directories(layout); !r) {
    std::cerr << "moatctl up: " << r.error().message << "\n";
    return 1;
  }
  StackRecord record =
      read_stack_record_or_empty(layout, "moatctl up", "; starting what does not answer afresh");
  const bool engine_up = recorded_engine(record) != 0 && engine_answers(layout);
  const bool guard_up = recorded_guard(record) != 0 && moatd_status(layout).has_value();
  if (engine_up && guard_up) {
    std::cout << "Moat is already running on " << layout.user_socket() << "\n";
    return 0;
  }
  if (record.egress_port == 0) {
    const auto port = free_loopback_port();
    if (!port) {
      std::cerr << "moatctl up: " << port.error().message << "\n";
      return 1;
    }
    record.egress_port = *port;
  }
  if (!engine_up) {
    // A dead or hung engine: clear what it left (containerd, shims, mounts)
    // before starting afresh.
    core::sys::terminate(recorded_engine(record), std::chrono::seconds(30));
    const pid_t guard = recorded_guard(record);
    for (const pid_t pid : stack_processes(layout)) {
      if (pid != guard) core::sys::terminate(pid, std::chrono::seconds(5));
    }
    if (const auto r = start_engine(layout, *settings, record); !r) {
      std::cerr << "moatctl up: " << r.error().message << "\n";
      return 1;
    }
  }
  if (!guard_up) {
    core::sys::terminate(recorded_guard(record), std::chrono::seconds(10));
    if (const auto r = start_guard(layout, options.root, record); !r) {
      std::cerr << "moatctl up: " << r.error().message << "\n";
      return 1;
    }
  }
  record.admin_settings = layout.admin_settings;
  record.started_at = now_rfc3339();
  write_stack_record(layout, record);
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "Moat is up (ready in " << std::to_string(seconds).substr(0, 4) << " s)\n"
            << "  engine    dockerd " << engine_version(layout).value_or("?") << " on "
            << layout.engine_socket() << " (root only)\n"
            << "  guard     moatd on " << layout.user_socket() << " (group docker)\n"
            << "  egress    127.0.0.1:" << record.egress_port << " in moatd (the engine's proxy while moat.registryAccess is on)\n"
            << "  settings  " << settings->source() << "\n"
            << "  ECI       " << (record.eci_active ? "active" : "not active: " + record.eci_note) << "\n"
            << "Developers: export DOCKER_HOST=unix://" << layout.user_socket() << "\n";
  return 0;
}

int run_down(const StackOptions& options) {
  if (::geteuid() != 0) {
    std::cerr << "moatctl down: must run as root: it stops the engine\n";
    return 1;
  }
  const auto layout = core::stack::make_layout(options.root, options.admin_settings);
  if (const auto r = stop_stack(layout); !r) {
    std::cerr << "moatctl down: " << r.error().message << "\n";
    return 1;
  }
  std::cout << "Moat is down\n";
  return 0;
}

}  // namespace moat::cli
