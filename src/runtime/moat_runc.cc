#include "runtime/moat_runc.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <system_error>
#include <thread>

#include "core/json/strict_json.h"
#include "core/stack/layout.h"
#include "core/sys/process.h"
#include "runtime/absent_container_delete.h"
#include "runtime/delegate_runc.h"
#include "runtime/idmap/container_owner.h"
#include "runtime/idmap/range_allocator.h"
#include "runtime/oci_cli/grammar.h"
#include "runtime/runc_state.h"
#include "core/sys/mountinfo.h"
#include "runtime/rootfs/prepare.h"
#include "runtime/rootfs/resolve_in_root.h"
#include "runtime/runtime_audit.h"
#include "runtime/runtime_log.h"
#include "runtime/spec/capabilities.h"
#include "runtime/spec/protected_mounts.h"
#include "runtime/spec/rewrite.h"
#include "core/sys/read_file.h"

namespace moat::runtime {
namespace {

using nlohmann::json;
using oci_cli::Command;
using oci_cli::Invocation;

class Stopwatch {
 public:
  double lap_ms() {
    const auto now = std::chrono::steady_clock::now();
    const double ms = std::chrono::duration<double, std::milli>(now - last_).count();
    last_ = now;
    return ms;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

Result<json> read_json(const std::string& path) {
  auto text = core::sys::read_file(path);
  if (!text) {
    return unexpected(text.error());
  }
  auto doc = core::json::parse_strict(*text);
  if (!doc) {
    const auto& e = doc.error();
    return fail(path + ":" + std::to_string(e.where.line) + ":" + std::to_string(e.where.column) +
                ": " + e.message);
  }
  return std::move(doc->value);
}

// Replaces the file in one rename, so runc never reads half a config.
Result<void> write_text_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + rootfs::kTemporarySuffix;
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return fail("cannot create " + tmp + ": " + std::strerror(errno));
  }
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int err = errno;
      ::close(fd);
      return fail("cannot write " + tmp + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  // Keep the permissions the engine gave the original.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    ::chmod(tmp.c_str(), st.st_mode & 07777);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail("cannot replace " + path + ": " + std::strerror(errno));
  }
  return {};
}

std::string ns_proc_name(std::string_view type) {
  if (type == "network") {
    return "net";
  }
  if (type == "mount") {
    return "mnt";
  }
  return std::string(type);
}

// moat-runc runs in the host's namespaces (the engine's shim starts it), so
// its own namespaces are the host's.
bool is_host_namespace(std::string_view type, const std::string& path) {
  struct stat given {};
  struct stat host {};
  const std::string own = "/proc/self/ns/" + ns_proc_name(type);
  if (::stat(path.c_str(), &given) != 0 || ::stat(own.c_str(), &host) != 0) {
    return false;
  }
  return given.st_dev == host.st_dev && given.st_ino == host.st_ino;
}

bool runc_has_container(const std::string& runc_root, const std::string& id) {
  struct stat st {};
  return ::stat((runc_root + "/" + id).c_str(), &st) == 0;
}

Result<void> ensure_state_dir(const std::string& dir) {
  if (dir.empty() || dir.front() != '/') {
    return fail("--moat-state must be an absolute path, got \"" + dir + "\"");
  }
  if (::mkdir(dir.c_str(), 0711) != 0 && errno != EEXIST) {
    return fail("cannot create state directory " + dir + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
      (st.st_mode & 022) != 0) {
    return fail("state directory " + dir +
                " must be a directory owned by root and writable only by root");
  }
  return {};
}

// The root directory of a running container's init, opened from the host:
// its pid and start time come from runc's state.json, and the start time is
// checked again after the open so a reused pid is never taken for it.
Result<sys::UniqueFd> open_container_root(const std::string& runc_root, const std::string& id) {
  auto init = read_init_process(runc_root, id);
  if (!init) {
    return unexpected(init.error());
  }
  const pid_t pid = init->pid;
  const auto start = init->start_time;
  const std::string root_link = "/proc/" + std::to_string(pid) + "/root";
  sys::UniqueFd root(::open(root_link.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) {
    return fail("cannot open " + root_link + " (the container's init, pid " + std::to_string(pid) +
                "): " + std::strerror(errno));
  }
  auto now = core::sys::process_start_time(pid);
  if (!now) {
    return unexpected(now.error());
  }
  if (*now != start) {
    return fail("pid " + std::to_string(pid) + " is no longer the container's init (it started at " +
                std::to_string(*now) + ", runc's state says " + std::to_string(start) + ")");
  }
  return root;
}

class Runtime {
 public:
  Runtime(const Invocation& inv, const RuntimeEnvironment& env)
      : inv_(inv),
        env_(env),
        log_{inv.global.log, inv.global.log_format},
        audit_(inv.moat.audit_socket),
        state_dir_(inv.moat.state_dir.empty() ? kDefaultStateDir : inv.moat.state_dir),
        allocator_(state_dir_) {}

  int run() {
    switch (inv_.command) {
      case Command::kCreate:
      case Command::kRun:
        return create();
      case Command::kExec:
        return exec();
      case Command::kDelete:
        return remove();
      case Command::kRestore:
        return deny("runtime.restore",
            "moat-runc: restore is refused (a restored container would skip the checks "
            "Enhanced Container Isolation makes at create); create the container anew");
      case Command::kNone:
      case Command::kCheckpoint:
      case Command::kEvents:
      case Command::kFeatures:
      case Command::kHelp:
      case Command::kInit:
      case Command::kKill:
      case Command::kList:
      case Command::kPause:
      case Command::kPs:
      case Command::kResume:
      case Command::kSpec:
      case Command::kStart:
      case Command::kState:
      case Command::kUpdate:
        break;
    }
    return pass_through();
  }

 private:
  int refuse(const std::string& message) {
    log_message(log_, "error", message);
    return 1;
  }

  int failed(const Error& error) {
    record_after("runtime.error", "error", error.message);
    return refuse("moat-runc: " + error.message);
  }

  // A refusal goes ahead even when its record cannot be written; the lost
  // record is then reported in the runtime's log.
  int deny(const std::string& rule, const std::string& message) {
    record_after(rule, "deny", message);
    return refuse(message);
  }

  // "create <id>", "exec <id>": what the engine asked, for the audit record.
  std::string request_summary() const {
    std::string text(oci_cli::command_name(inv_.command));
    if (const auto id = inv_.container_id()) text += " " + *id;
    return text;
  }

  RuntimeDecision decision(const std::string& rule, const std::string& outcome, const std::string& reason) const {
    return RuntimeDecision{inv_.container_id().value_or(""), request_summary(), rule, outcome, reason};
  }

  // For decisions already taken (refusals, cleanups): a failed write is
  // reported, not fatal.
  void record_after(const std::string& rule, const std::string& outcome, const std::string& reason) {
    auto pending = audit_.send(decision(rule, outcome, reason));
    report_unwritten(pending);
  }

  void report_unwritten(PendingRecord& pending) {
    if (auto r = pending.written(); !r) {
      log_message(log_, "warning", "moat-runc: AUDIT RECORD NOT WRITTEN for " + request_summary() + ": " +
                                       r.error().message);
    }
  }

  // For decisions about to take effect: nothing happens without its record.
  Result<void> record_before(const std::string& rule, const std::string& reason) {
    return check_written(audit_.send(decision(rule, "allow", reason)));
  }

  Result<void> check_written(PendingRecord pending) {
    if (auto r = pending.written(); !r) {
      return fail(request_summary() + " refused: " + r.error().message);
    }
    return {};
  }

  int pass_through() {
    const Error e = exec_runc(env_.runc_path, inv_.runc_args);
    return failed(e);
  }

  Result<std::string> checked_id() {
    const auto id = inv_.container_id();
    if (!id) {
      return fail("no container id given");
    }
    if (!valid_container_id(*id)) {
      return fail("invalid container id \"" + *id + "\"");
    }
    return *id;
  }

  int create() {
    Stopwatch clock;
    json timings = json::object();
    auto id = checked_id();
    if (!id) {
      return failed(id.error());
    }
    if (runc_has_container(inv_.global.root, *id)) {
      // Leave a live container's mounts and range alone; runc reports it.
      return pass_through();
    }
    if (auto ok = ensure_state_dir(state_dir_); !ok) {
      return failed(ok.error());
    }
    std::string bundle = inv_.flag("bundle").value_or("");
    if (bundle.empty()) {
      char cwd[4096];
      if (::getcwd(cwd, sizeof cwd) == nullptr) {
        return failed(Error{"cannot read the working directory"});
      }
      bundle = cwd;
    }
    const std::string config_path = bundle + "/config.json";
    auto config = read_json(config_path);
    if (!config) {
      return failed(config.error());
    }
    auto host_caps = spec::host_bounding_set();
    if (!host_caps) {
      return failed(host_caps.error());
    }
    timings["read"] = clock.lap_ms();
    auto range = allocator_.allocate(*id, inv_.global.root, idmap::runc_knows_container);
    if (!range) {
      return failed(range.error().with_context("allocating an id range"));
    }
    timings["allocate"] = clock.lap_ms();
    const spec::RewriteInput input{*range, *host_caps, is_host_namespace};
    auto rewritten = spec::rewrite_config(*config, input);
    if (!rewritten) {
      (void)allocator_.release(*id);
      return deny("runtime.spec", rewritten.error().message);
    }
    const auto protect = spec::load_protected_paths(state_dir_);
    if (!protect) {
      (void)allocator_.release(*id);
      return failed(protect.error());
    }
    if (auto checked = spec::check_bind_sources(rewritten->config, *protect, *id); !checked) {
      (void)allocator_.release(*id);
      return deny("runtime.protected-mount", checked.error().message);
    }
    timings["rewrite"] = clock.lap_ms();
    const auto paths = rootfs::container_paths(state_dir_, *id);
    auto mountinfo = core::sys::read_self_mountinfo();
    if (!mountinfo) {
      (void)allocator_.release(*id);
      return failed(mountinfo.error());
    }
    const rootfs::OwnerFinder find_owner = [&] {
      return idmap::find_container_owner(protect->engine_data_root, *id,
                                         state_dir_ + "/" + core::stack::kOwnerSealsDirName);
    };
    auto prepared = rootfs::prepare(*env_.ops, rewritten->config, bundle, *range, paths, *mountinfo,
                                    protect->engine_data_root, find_owner);
    if (!prepared) {
      undo(paths, *id);
      return failed(prepared.error().with_context("preparing the root filesystem"));
    }
    const json final_config = rootfs::apply_prepared(rewritten->config, *prepared);
    if (auto refusal = refused_working_directory(final_config, bundle)) {
      undo(paths, *id);
      return deny("runtime.spec", *refusal);
    }
    timings["rootfs"] = clock.lap_ms();
    // moatd writes the record while the config and the container's record
    // are written; runc starts only once it is in the log.
    auto pending = audit_.send(
        decision("runtime.create", "allow", created_summary(*range, rewritten->report, prepared->notes)));
    if (auto w = write_text_atomically(config_path, final_config.dump()); !w) {
      report_unwritten(pending);
      undo(paths, *id);
      return failed(w.error());
    }
    report(rewritten->report, prepared->notes);
    timings["write"] = clock.lap_ms();
    const json record{{"id", *id},
                      {"range", {{"hostBase", range->host_base}, {"size", range->size}}},
                      {"droppedCapabilities", rewritten->report.dropped_capabilities},
                      {"droppedDevices", rewritten->report.dropped_devices},
                      {"notes", rewritten->report.notes},
                      {"mountNotes", prepared->notes},
                      {"rootfs", prepared->rootfs},
                      {"timingsMs", timings}};
    if (auto w = write_text_atomically(paths.record(), record.dump(1) + "\n"); !w) {
      report_unwritten(pending);
      undo(paths, *id);
      return failed(w.error());
    }
    if (auto recorded = check_written(std::move(pending)); !recorded) {
      undo(paths, *id);
      return refuse("moat-runc: " + recorded.error().message);
    }
    auto status = run_runc(env_.runc_path, inv_.runc_args);
    if (!status) {
      undo(paths, *id);
      return failed(status.error());
    }
    // A failed create, or a `run` that ended, leaves runc without the
    // container: nothing uses the mounts or the range any more.
    if (!runc_has_container(inv_.global.root, *id)) {
      undo(paths, *id);
    }
    return *status;
  }

  static std::string created_summary(const idmap::IdRange& range, const spec::RewriteReport& r,
                                     const std::vector<std::string>& mount_notes) {
    std::string text = "own user namespace, ids " + std::to_string(range.host_base) + "-" +
                       std::to_string(range.host_base + range.size - 1);
    const auto list = [&text](const char* what, const std::vector<std::string>& items) {
      if (items.empty()) return;
      text += std::string("; ") + what + ": ";
      for (std::size_t i = 0; i < items.size(); ++i) text += (i ? ", " : "") + items[i];
    };
    list("capabilities the host lacks left out", r.dropped_capabilities);
    list("host devices left out", r.dropped_devices);
    list("changes", r.notes);
    list("mounts", mount_notes);
    return text;
  }

  void report(const spec::RewriteReport& r, const std::vector<std::string>& mount_notes) {
    if (!r.dropped_capabilities.empty()) {
      std::string list;
      for (const std::string& c : r.dropped_capabilities) {
        list += (list.empty() ? "" : ", ") + c;
      }
      log_message(log_, "warning",
                  "moat-runc: capabilities the host does not have were left out: " + list);
    }
    if (!r.dropped_devices.empty()) {
      log_message(log_, "warning",
                  "moat-runc: " + std::to_string(r.dropped_devices.size()) +
                      " host device(s) were left out of the container (first: " +
                      r.dropped_devices.front() + ")");
    }
    for (const std::string& note : mount_notes) {
      log_message(log_, "warning", "moat-runc: " + note);
    }
  }

  // The working directory where the container will see it: followed through
  // the symbolic links of the container's root (root_fd, with `tree` laid
  // over it), then the same /proc rule as its text. Anything that cannot be
  // resolved is refused.
  static std::optional<std::string> refused_resolved_cwd(int root_fd, const std::string& cwd,
                                                         const rootfs::ContainerTree& tree = {}) {
    auto resolved = rootfs::resolve_in_root(root_fd, cwd, tree);
    if (!resolved) {
      return "moat-runc: container working directory " + cwd +
             " is refused: it cannot be resolved inside the container's root (" +
             resolved.error().message + "); choose a directory of the container's own filesystem";
    }
    if (auto checked = spec::check_working_directory(cwd, *resolved); !checked) {
      return checked.error().message;
    }
    return std::nullopt;
  }

  // At create the root is the prepared image; the mounts and /dev links
  // runc adds before the process starts are modelled (runtime_tree).
  static std::optional<std::string> refused_working_directory(const json& config,
                                                              const std::string& bundle) {
    if (!config.contains("process") || !config["process"].is_object() ||
        !config["process"].contains("cwd") || !config["process"]["cwd"].is_string()) {
      return std::nullopt;  // rewrite_config refused a cwd that is not a string
    }
    const std::string cwd = config["process"]["cwd"].get<std::string>();
    const std::string rootfs = config["root"]["path"].get<std::string>();
    const sys::UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid()) {
      return "moat-runc: container working directory " + cwd + " cannot be checked: cannot open the root " +
             rootfs + ": " + std::strerror(errno);
    }
    return refused_resolved_cwd(root.get(), cwd, runtime_tree(config, bundle));
  }

  static bool has_option(const json& mount, std::string_view option) {
    if (!mount.contains("options") || !mount["options"].is_array()) {
      return false;
    }
    return std::any_of(mount["options"].begin(), mount["options"].end(),
                       [&](const json& o) { return o.is_string() && o.get<std::string>() == option; });
  }

  // What runc lays over the root before the process starts: the config's
  // mounts in order (a bind mount shows its source, any other filesystem
  // starts empty) and, unless /dev is a bind mount, the links runc 1.1
  // makes in /dev (setupDevSymlinks, setupPtmx); /dev/fd among them leads
  // into /proc/self/fd.
  static rootfs::ContainerTree runtime_tree(const json& config, const std::string& bundle) {
    rootfs::ContainerTree tree;
    bool dev_is_bound = false;
    if (config.contains("mounts") && config["mounts"].is_array()) {
      for (const json& m : config["mounts"]) {
        if (!m.is_object() || !m.contains("destination") || !m["destination"].is_string()) {
          continue;  // runc refuses such a mount itself
        }
        const std::string destination = m["destination"].get<std::string>();
        std::string source;
        if (rootfs::is_bind_mount(m) && m.contains("source") && m["source"].is_string()) {
          source = m["source"].get<std::string>();
          if (!source.empty() && source.front() != '/') {
            source = bundle + "/" + source;
          }
          dev_is_bound = dev_is_bound || spec::normalize_path(destination) == "/dev";
        } else if (has_option(m, "tmpcopyup")) {
          continue;  // runc copies the image's files there: they show as in the image
        }
        tree.mounts.push_back(rootfs::TreeMount{destination, source});
      }
    }
    if (!dev_is_bound) {
      tree.links = {{"/dev/fd", "/proc/self/fd"},     {"/dev/stdin", "/proc/self/fd/0"},
                    {"/dev/stdout", "/proc/self/fd/1"}, {"/dev/stderr", "/proc/self/fd/2"},
                    {"/dev/core", "/proc/kcore"},       {"/dev/ptmx", "pts/ptmx"}};
    }
    return tree;
  }

  void undo(const rootfs::ContainerPaths& paths, const std::string& id) {
    if (auto t = rootfs::teardown(*env_.ops, paths, core::sys::read_self_mountinfo); !t) {
      log_message(log_, "warning", "moat-runc: " + t.error().message);
      return;  // keep the range while mounts of it remain
    }
    if (auto r = allocator_.release(id); !r) {
      log_message(log_, "warning", "moat-runc: " + r.error().message);
    }
  }

  int exec() {
    std::vector<std::string> cwds;  // to resolve inside the running container
    if (const auto cwd = inv_.flag("cwd")) {
      auto checked = spec::rewrite_process(json{{"cwd", *cwd}}, 0);
      if (!checked) {
        return deny("runtime.exec", checked.error().message);
      }
      cwds.push_back(*cwd);
    }
    if (const auto process_path = inv_.flag("process")) {
      auto process = read_json(*process_path);
      if (!process) {
        return failed(process.error());
      }
      auto host_caps = spec::host_bounding_set();
      if (!host_caps) {
        return failed(host_caps.error());
      }
      auto rewritten = spec::rewrite_process(*process, *host_caps);
      if (!rewritten) {
        return deny("runtime.exec", rewritten.error().message);
      }
      if (process->contains("cwd") && (*process)["cwd"].is_string()) {
        cwds.push_back((*process)["cwd"].get<std::string>());
      }
      if (rewritten->config != *process) {
        if (auto w = write_text_atomically(*process_path, rewritten->config.dump()); !w) {
          return failed(w.error());
        }
      }
    }
    if (!cwds.empty()) {
      if (auto refusal = refused_exec_cwd(cwds)) {
        return deny("runtime.exec", *refusal);
      }
    }
    if (auto recorded = record_before("runtime.exec", "process checked"); !recorded) {
      return refuse("moat-runc: " + recorded.error().message);
    }
    return pass_through();
  }

  // An exec's working directory is resolved in the root of the container's
  // running init; without that root there is nothing to check against, so
  // the exec is refused.
  std::optional<std::string> refused_exec_cwd(const std::vector<std::string>& cwds) {
    auto id = checked_id();
    if (!id) {
      return "moat-runc: exec refused: " + id.error().message;
    }
    auto root = open_container_root(inv_.global.root, *id);
    if (!root) {
      return "moat-runc: container working directory " + cwds.front() +
             " cannot be checked, so the exec is refused: the container's root was not found (" +
             root.error().message + "); start the container first";
    }
    for (const std::string& cwd : cwds) {
      if (auto refusal = refused_resolved_cwd(root->get(), cwd)) {
        return refusal;
      }
    }
    return std::nullopt;
  }

  // False when neither the container's directory (mounts, record) nor an
  // entry in the range table exists; anything unreadable counts as there.
  bool holds_anything(const rootfs::ContainerPaths& paths, const std::string& id) const {
    struct stat info {};
    return ::lstat(paths.dir.c_str(), &info) == 0 || errno != ENOENT || allocator_.may_hold(id);
  }

  int remove() {
    auto id = checked_id();
    if (!id) {
      return pass_through();  // runc words the usage error
    }
    const auto paths = rootfs::container_paths(state_dir_, *id);
    if (!holds_anything(paths, *id)) {
      // Nothing of Moat's to undo, as at the engine's second delete of each
      // container: runc alone, without the cost of waiting for it, or not
      // even runc when its answer is certain.
      if (answered_forced_delete_of_absent_container(inv_)) return 0;
      return pass_through();
    }
    // Written while runc deletes; what then goes wrong gets a record of its own.
    auto pending = audit_.send(decision("runtime.delete", "allow",
                                        "runc deletes the container, then its mounts are undone and its id range freed"));
    // Decided before runc runs: a --force delete kills the init itself, and
    // what moat-runc does must not depend on how far runc got.
    const bool ended = init_has_ended(inv_.global.root, *id);
    std::optional<Result<void>> torn_down;
    auto status = run_runc_undoing_meanwhile(paths, ended, torn_down);
    report_unwritten(pending);
    if (!status) {
      return failed(status.error());
    }
    if (runc_has_container(inv_.global.root, *id)) {
      record_after("runtime.delete", "error",
                   "runc did not delete the container (exit status " + std::to_string(*status) +
                       "); its id range stays taken");
      return *status;
    }
    const Result<void> unmounted = torn_down && *torn_down
                                       ? Result<void>{}
                                       : rootfs::teardown(*env_.ops, paths, core::sys::read_self_mountinfo);
    if (!unmounted) {
      log_message(log_, "warning", "moat-runc: " + unmounted.error().message);
      record_after("runtime.delete", "error",
                   "deleted by runc; " + unmounted.error().message + "; its id range stays taken");
      return *status;
    }
    if (auto released = allocator_.release(*id); !released) {
      log_message(log_, "warning", "moat-runc: " + released.error().message);
      record_after("runtime.delete", "error", "deleted; mounts undone; " + released.error().message);
    }
    return *status;
  }

  // runc's delete, while moat-runc undoes what it can meanwhile: runc
  // takes 15-20 ms here. A container whose init has ended runs nothing that
  // needs the host's mounts of it (processes left in a shared pid namespace
  // hold their own copies in the container's mount namespace), so they are
  // torn down now (`torn_down`), which also tears down those of a container
  // runc then fails to delete: harmless, as a stopped container never
  // starts again. A live init keeps its mounts until runc is done. Only an
  // optimisation: without the thread, or if it fails, all is undone after
  // runc as before.
  Result<int> run_runc_undoing_meanwhile(const rootfs::ContainerPaths& paths, bool init_ended,
                                         std::optional<Result<void>>& torn_down) const {
    std::jthread worker;
    if (init_ended) {
      try {
        worker = std::jthread([this, &paths, &torn_down] {
          try {
            torn_down = rootfs::teardown(*env_.ops, paths, core::sys::read_self_mountinfo);
          } catch (const std::exception&) {
            torn_down.reset();
          }
        });
      } catch (const std::system_error&) {
      }
    }
    auto status = run_runc(env_.runc_path, inv_.runc_args);
    if (worker.joinable()) worker.join();  // torn_down is final
    return status;
  }

  const Invocation& inv_;
  const RuntimeEnvironment& env_;
  LogTarget log_;
  RuntimeAudit audit_;
  std::string state_dir_;
  idmap::RangeAllocator allocator_;
};

}  // namespace

bool valid_container_id(const std::string& id) {
  if (id.empty() || id == "." || id == ".." || id.size() > 1024) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '+' || c == ',' || c == '-' || c == '.';
  });
}

int run_moat_runc(std::span<const std::string> args, const RuntimeEnvironment& env) {
  auto inv = oci_cli::parse(args);
  if (!inv) {
    log_message(LogTarget{}, "error", inv.error().message);
    return inv.error().exit_code;
  }
  Runtime runtime(*inv, env);
  return runtime.run();
}

}  // namespace moat::runtime
