#pragma once
// Where a Moat stack keeps its sockets, state and the engine's roots. One
// function decides it, so moatctl, moatd and the tests agree.

#include <string>
#include <vector>

namespace moat::core::stack {

inline constexpr const char* kOwnerSealsDirName = "owner-seals";

struct Layout {
  std::string run_dir;         // sockets, pid files, the engine's exec root
  std::string lib_dir;         // the engine's data root, developer settings, logs
  std::string admin_settings;  // the admin's settings file (may not exist)

  std::string engine_socket() const { return run_dir + "/engine.sock"; }
  std::string user_socket() const { return run_dir + "/docker.sock"; }
  std::string control_socket() const { return run_dir + "/control.sock"; }
  std::string state_dir() const { return run_dir + "/state"; }
  std::string dockerd_pidfile() const { return state_dir() + "/dockerd.pid"; }
  std::string moatd_pidfile() const { return state_dir() + "/moatd.pid"; }
  std::string daemon_json() const { return state_dir() + "/daemon.json"; }
  std::string stack_record() const { return state_dir() + "/stack.json"; }
  std::string engine_exec_root() const { return run_dir + "/engine-run"; }
  std::string engine_data_root() const { return lib_dir + "/engine-data"; }
  std::string runtime_state_dir() const { return lib_dir + "/runtime"; }
  std::string runtime_bin_dir() const { return lib_dir + "/runtime-bin"; }
  // The seals of containers' owner labels (core/trust/owner_seal.h), where
  // moat-runc, which knows only its state directory, finds them too.
  std::string owner_seals_dir() const { return runtime_state_dir() + "/" + kOwnerSealsDirName; }
  std::string user_settings() const { return lib_dir + "/developer-settings.json"; }
  std::string log_dir() const { return lib_dir + "/logs"; }
  // Audit: one signing key for the stack, the log directory of its one
  // writer (moatd, which also writes moat-runc's records; the writer locks
  // it), and the writer's checkpoint state kept outside that directory.
  std::string audit_dir() const { return lib_dir + "/audit"; }
  std::string audit_key() const { return audit_dir() + "/signing-key.pem"; }
  std::string audit_log_dir(const std::string& component) const { return audit_dir() + "/" + component; }
  std::string audit_state(const std::string& component) const {
    return audit_dir() + "/" + component + ".checkpoint";
  }

  // Host paths no container may bind-mount, at any name: the engine's
  // sockets and state, Moat's state and settings. moatd refuses them in
  // requests; moat-runc refuses them again at container start.
  std::vector<std::string> protected_paths() const;
};

inline constexpr const char* kDefaultAdminSettings = "/etc/moat/admin-settings.json";

// The installed layout (/run/moat, /var/lib/moat) or, with a root, everything
// under that one directory.
Layout make_layout(const std::string& root, const std::string& admin_settings);

}  // namespace moat::core::stack
