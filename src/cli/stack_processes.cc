#include "cli/stack_processes.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/stack_probe.h"
#include "core/audit/signing_key.h"
#include "core/engine/engine_config.h"
#include "core/net/unix_http_client.h"
#include "core/policy/registries.h"
#include "core/settings/file_trust.h"
#include "core/stack/runtime_wrapper.h"
#include "core/sys/mounts.h"
#include "core/sys/process.h"

namespace moat::cli {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kEngineStartTimeout = 60s;
constexpr auto kGuardStartTimeout = 20s;
using core::engine::kSystemPath;
constexpr const char* kPlainRunc = "/usr/sbin/runc";

Result<void> make_dir(const std::string& path, mode_t mode) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return fail("creating " + path + ": " + ec.message());
  if (::chown(path.c_str(), 0, 0) != 0 || ::chmod(path.c_str(), mode) != 0) {
    return fail("setting owner and mode of " + path + ": " + std::strerror(errno));
  }
  return {};
}

std::string log_tail(const std::string& path, std::size_t lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) all.push_back(line);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    out += "\n  " + all[i];
  }
  return out;
}

std::string executable_name(pid_t pid) {
  std::error_code ec;
  return fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec).filename().string();
}

std::uint64_t start_time_or_zero(pid_t pid) {
  const auto started = core::sys::process_start_time(pid);
  return started ? *started : 0;
}

// `pid` if it is still the recorded process, else 0 (see recorded_engine).
pid_t still_recorded(pid_t pid, std::uint64_t started, std::string_view program) {
  if (!core::sys::process_alive(pid)) return 0;
  std::string name = executable_name(pid);
  // An upgrade replaces the file under a running process.
  constexpr std::string_view kReplaced = " (deleted)";
  if (name.ends_with(kReplaced)) name.resize(name.size() - kReplaced.size());
  if (name != program) return 0;
  if (started != 0 && start_time_or_zero(pid) != started) return 0;
  return pid;
}

// Waits until `ready` holds, failing early if the process dies.
Result<void> wait_ready(pid_t pid, std::chrono::seconds timeout, const std::string& what,
                        const std::string& log, const std::function<bool()>& ready) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!core::sys::process_alive(pid)) return fail(what + " exited during start; its log ends:" + log_tail(log, 15));
    if (ready()) return {};
    std::this_thread::sleep_for(50ms);
  }
  return fail(what + " did not answer within " + std::to_string(timeout.count()) + " s; its log ends:" +
              log_tail(log, 15));
}

}  // namespace

Result<void> prepare_directories(const core::stack::Layout& layout) {
  for (const auto& [path, mode] : std::vector<std::pair<std::string, mode_t>>{
           {layout.run_dir, 0755}, {layout.lib_dir, 0755}, {layout.state_dir(), 0700},
           {layout.log_dir(), 0700}, {layout.engine_exec_root(), 0700},
           {layout.engine_data_root(), 0710}, {layout.runtime_state_dir(), 0711},
           {layout.runtime_bin_dir(), 0755}, {layout.audit_dir(), 0700}, {layout.owner_seals_dir(), 0700}}) {
    if (auto r = make_dir(path, mode); !r) return r;
  }
  // The audit signing key is made once, at the first start, readable by root only.
  if (!fs::exists(layout.audit_key())) {
    if (auto made = core::audit::create_key_pair(layout.audit_key()); !made) {
      return fail("creating the audit signing key: " + made.error().message);
    }
  }
  for (const auto& dir : {layout.run_dir, layout.lib_dir}) {
    if (auto r = core::settings::check_trusted_directory(dir); !r) return r;
  }
  return {};
}

// The host paths moat-runc refuses to bind-mount into any container.
Result<void> write_protected_paths(const core::stack::Layout& layout) {
  const nlohmann::json doc = {{"paths", layout.protected_paths()}, {"engineDataRoot", layout.engine_data_root()}};
  const std::string file = layout.runtime_state_dir() + "/protected-paths.json";
  std::ofstream out(file, std::ios::trunc);
  out << doc.dump(2) << "\n";
  if (!out) return fail("writing " + file);
  return {};
}

// The engine's `runc`: Moat's runtime with its state directory and moatd's
// socket (core/stack/runtime_wrapper.h).
std::string runtime_wrapper_path(const core::stack::Layout& layout) { return layout.runtime_bin_dir() + "/runc"; }

std::string runtime_wrapper_text(const core::stack::Layout& layout) {
  return core::stack::runtime_wrapper_text(sibling_executable("moat-runc"), layout.runtime_state_dir(),
                                           layout.control_socket());
}

Result<std::string> install_runtime_wrapper(const core::stack::Layout& layout) {
  const std::string runtime = sibling_executable("moat-runc");
  if (::access(runtime.c_str(), X_OK) != 0) {
    return fail("Enhanced Container Isolation is on but " + runtime + " is missing; refusing to start the "
                "engine without it");
  }
  const std::string wrapper = runtime_wrapper_path(layout);
  const std::string tmp = wrapper + ".new";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << runtime_wrapper_text(layout);
    if (!out) return fail("writing " + tmp);
  }
  if (::chmod(tmp.c_str(), 0755) != 0 || ::rename(tmp.c_str(), wrapper.c_str()) != 0) {
    return fail("installing " + wrapper + ": " + std::strerror(errno));
  }
  return runtime;
}

Result<int> free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  // The kernel picks the port; moatd binds it moments later.
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok) return fail(std::string("choosing a port for the egress filter: ") + std::strerror(saved));
  return static_cast<int>(ntohs(address.sin_port));
}

Result<void> start_engine(const core::stack::Layout& layout,
                          const core::settings::SettingsState& settings, StackRecord& record) {
  const auto effective = settings.effective();
  core::engine::EngineLayout engine{layout.engine_socket(), layout.engine_data_root(),
                                    layout.engine_exec_root(), layout.state_dir() + "/dockerd.pid", "", ""};
  const core::policy::PolicyContext policy_context{effective, {}, {}, false, nullptr};
  if (core::policy::registry_access_restricted(policy_context)) {
    engine.egress_proxy = "http://127.0.0.1:" + std::to_string(record.egress_port);
  }
  const auto& eci = effective.all().at("enhancedContainerIsolation");
  if (eci.value.get<bool>()) {
    if (auto written = write_protected_paths(layout); !written) return written;
    const auto runtime = install_runtime_wrapper(layout);
    if (!runtime) return unexpected(runtime.error());
    engine.runtime_dir = layout.runtime_bin_dir();
    record.runtime = *runtime;
    record.eci_active = true;
    record.eci_note = "every container runs through " + *runtime;
  } else {
    ::unlink(runtime_wrapper_path(layout).c_str());
    record.runtime = kPlainRunc;
    record.eci_active = false;
    record.eci_note = "enhancedContainerIsolation is off (set by " +
                      std::string(core::settings::to_string(eci.source)) + ")";
  }
  const auto config = core::engine::derive_engine_config(effective, engine);
  {
    std::ofstream out(layout.daemon_json(), std::ios::trunc);
    out << config.daemon_json.dump(2) << "\n";
    if (!out) return fail("writing " + layout.daemon_json());
  }
  ::chmod(layout.daemon_json().c_str(), 0600);

  // A dockerd that died leaves its pid file; dockerd refuses to start while
  // that pid exists, and a killed engine may linger as a zombie.
  // The same holds for the containerd dockerd supervises.
  ::unlink(engine.pidfile.c_str());
  ::unlink((layout.engine_exec_root() + "/containerd/containerd.pid").c_str());
  const std::string log = layout.log_dir() + "/dockerd.log";
  const auto pid = core::sys::spawn_detached(
      core::sys::SpawnOptions{{dockerd_path(), "--config-file", layout.daemon_json()}, config.environment, log});
  if (!pid) return unexpected(pid.error().with_context("starting dockerd"));
  record.dockerd = *pid;
  record.dockerd_started = start_time_or_zero(*pid);
  if (auto r = wait_ready(*pid, kEngineStartTimeout, "dockerd", log, [&] { return engine_answers(layout); });
      !r) {
    core::sys::terminate(*pid, 10s);
    return r;
  }
  // dockerd makes its socket 0660 for the group "root"; Moat's rule is root alone.
  if (::chmod(layout.engine_socket().c_str(), 0600) != 0) {
    return fail("restricting " + layout.engine_socket() + ": " + std::strerror(errno));
  }
  return {};
}

Result<void> start_guard(const core::stack::Layout& layout, const std::string& root_option,
                         StackRecord& record) {
  std::vector<std::string> argv{sibling_executable("moatd")};
  if (!root_option.empty()) argv.insert(argv.end(), {"--root", layout.run_dir});
  argv.insert(argv.end(), {"--admin-settings", layout.admin_settings});
  argv.insert(argv.end(), {"--egress-port", std::to_string(record.egress_port)});
  const std::string log = layout.log_dir() + "/moatd.log";
  const auto pid = core::sys::spawn_detached({argv, {{"PATH", kSystemPath}}, log});
  if (!pid) return unexpected(pid.error().with_context("starting moatd"));
  record.moatd = *pid;
  record.moatd_started = start_time_or_zero(*pid);
  return wait_ready(*pid, kGuardStartTimeout, "moatd", log,
                    [&] { return moatd_status(layout).has_value(); });
}

std::vector<pid_t> stack_processes(const core::stack::Layout& layout) {
  // Only the stack's own kinds of process: a shell that merely names the
  // stack's directory is never touched.
  static const std::set<std::string> kinds = {
      "dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v2", "moatd",
      "runc", "moat-runc", "docker-proxy", "docker-init"};
  std::set<pid_t> found;
  // moatd names the stack's root as a whole argument (arguments are NUL-separated).
  const std::string root_argument = std::string(1, '\0') + layout.run_dir + std::string(1, '\0');
  for (const auto& needle : {layout.daemon_json(), layout.engine_exec_root(), layout.engine_data_root(),
                             root_argument}) {
    for (const pid_t pid : core::sys::processes_mentioning(needle)) {
      if (kinds.contains(executable_name(pid))) found.insert(pid);
    }
  }
  return {found.begin(), found.end()};
}

pid_t recorded_engine(const StackRecord& record) {
  return still_recorded(record.dockerd, record.dockerd_started, "dockerd");
}

pid_t recorded_guard(const StackRecord& record) {
  return still_recorded(record.moatd, record.moatd_started, "moatd");
}

Result<void> stop_stack(const core::stack::Layout& layout) {
  const StackRecord record = read_stack_record_or_empty(
      layout, "moatctl down", "; stopping the processes whose command lines name the stack");
  // The guard first, so no new request reaches an engine that is stopping.
  core::sys::terminate(recorded_guard(record), 10s);
  core::sys::terminate(recorded_engine(record), 60s);
  for (const pid_t pid : stack_processes(layout)) core::sys::terminate(pid, 5s);
  const auto unmounted_exec = core::sys::unmount_all_under(layout.engine_exec_root());
  const auto unmounted_data = core::sys::unmount_all_under(layout.engine_data_root());
  // moat-runc's ID-mapped roots and bind clones: its `delete` unmounts them,
  // but an engine that died with containers running never calls it (the
  // next `up` would, when the engine cleans up). Their ranges stay taken
  // until then: a container process that outlived its shim may still use
  // one, and the allocator takes back only ranges whose container is gone.
  const auto unmounted_runtime = core::sys::unmount_all_under(layout.runtime_state_dir());
  for (const auto& path : {layout.engine_socket(), layout.user_socket(), layout.control_socket(),
                           layout.stack_record()}) {
    ::unlink(path.c_str());
  }
  if (const auto left = stack_processes(layout); !left.empty()) {
    return fail("process " + std::to_string(left.front()) + " (" + executable_name(left.front()) +
                ") is still running");
  }
  if (!unmounted_exec) return unmounted_exec;
  if (!unmounted_data) return unmounted_data;
  return unmounted_runtime;
}

}  // namespace moat::cli
