#include "runtime/runc_state.h"

#include <signal.h>

#include <array>
#include <cerrno>
#include <string_view>

#include "core/json/top_level_scalars.h"
#include "core/sys/process.h"
#include "core/sys/read_file.h"

namespace moat::runtime {

Result<InitProcess> read_init_process(const std::string& runc_root, const std::string& id) {
  const std::string path = runc_root + "/" + id + "/state.json";
  auto text = core::sys::read_file(path);
  if (!text) {
    return unexpected(text.error());
  }
  // runc's state holds the whole libcontainer config, seccomp rules
  // included: larger than the default limit for settings, and read at every
  // delete for two of its numbers.
  core::json::ParseOptions options;
  options.max_bytes = 64U << 20;
  static constexpr std::array<std::string_view, 2> kInitFields{"init_process_pid", "init_process_start"};
  auto fields = core::json::top_level_scalars(*text, kInitFields, options);
  if (!fields) {
    return fail(path + ": " + fields.error().message);
  }
  const auto& state = *fields;
  if (!state.contains("init_process_pid") ||
      !state["init_process_pid"].is_number_integer() || !state.contains("init_process_start") ||
      !state["init_process_start"].is_number_unsigned()) {
    return fail(path + " names no init process (init_process_pid, init_process_start)");
  }
  const long long pid = state["init_process_pid"].get<long long>();
  if (pid <= 0 || pid > INT32_MAX) {
    return fail(path + " names no running init process (pid " + std::to_string(pid) + ")");
  }
  return InitProcess{static_cast<pid_t>(pid), state["init_process_start"].get<std::uint64_t>()};
}

bool init_has_ended(const std::string& runc_root, const std::string& id) {
  const auto init = read_init_process(runc_root, id);
  if (!init) {
    return false;
  }
  const auto now = core::sys::process_start_time(init->pid);
  if (!now) {
    return ::kill(init->pid, 0) != 0 && errno == ESRCH;
  }
  // A zombie has left its namespaces already; runc counts it as stopped too.
  return *now != init->start_time || !core::sys::process_alive(init->pid);
}

}  // namespace moat::runtime
