#include "core/sys/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/sys/read_file.h"

namespace moat::core::sys {

Result<pid_t> spawn_detached(const SpawnOptions& options) {
  // If our caller closed stdin, stdout or stderr, the descriptors opened
  // below would take those numbers and the child's dup2 calls would clobber
  // them: fill the gaps first.
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) == -1) ::open("/dev/null", O_RDWR);
  }
  // Build everything the child needs before fork: after fork only
  // async-signal-safe calls are allowed.
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : options.environment) env_strings.push_back(k + "=" + v);
  std::vector<char*> argv;
  std::vector<char*> envp;
  for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  const int log_fd = ::open(options.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log_fd < 0) return fail("opening " + options.log_file + ": " + std::strerror(errno));
  int status_pipe[2];
  if (::pipe2(status_pipe, O_CLOEXEC) != 0) {
    ::close(log_fd);
    return fail(std::string("pipe: ") + std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    ::close(status_pipe[0]);
    ::close(status_pipe[1]);
    return fail(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::setsid();
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::umask(022);
    // Whatever else the caller had open (a CI job's pipe, an admin's
    // socket) would stay open for the daemon's whole life. Marked, not
    // closed, so the status pipe still reports a failed exec.
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
      const int err = -errno;  // negative: not execve's
      [[maybe_unused]] const auto n = ::write(status_pipe[1], &err, sizeof err);
      ::_exit(127);
    }
    ::execve(argv[0], argv.data(), envp.data());
    const int err = errno;
    [[maybe_unused]] const auto n = ::write(status_pipe[1], &err, sizeof err);
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(status_pipe[1]);
  int child_errno = 0;
  const auto n = ::read(status_pipe[0], &child_errno, sizeof child_errno);
  ::close(status_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    if (child_errno < 0) {
      return fail("cannot start " + options.argv[0] + " without the descriptors it must not inherit: " +
                  std::strerror(-child_errno));
    }
    return fail("cannot execute " + options.argv[0] + ": " + std::strerror(child_errno));
  }
  return pid;
}

namespace {

// The fields of /proc/<pid>/stat from the third (state) on: they follow the
// command name, which is in parentheses and may hold spaces and parentheses.
std::optional<std::vector<std::string>> stat_fields(pid_t pid) {
  const auto line = read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!line) return std::nullopt;
  const auto paren = line->rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::vector<std::string> fields;
  std::size_t at = paren + 1;
  while (true) {
    const auto begin = line->find_first_not_of(" \n", at);
    if (begin == std::string::npos) break;
    const auto end = line->find_first_of(" \n", begin);
    fields.push_back(line->substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) break;
    at = end;
  }
  return fields;
}

}  // namespace

bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  const auto fields = stat_fields(pid);
  if (!fields || fields->empty() || (*fields)[0].empty()) return false;
  const char state = (*fields)[0][0];
  return state != 'Z' && state != 'X';
}

Result<std::uint64_t> process_start_time(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  const auto fields = pid > 0 ? stat_fields(pid) : std::nullopt;
  if (!fields) return fail("cannot read " + path);
  constexpr std::size_t kStartTime = 22 - 3;  // field 22, counted from field 3
  if (fields->size() <= kStartTime) return fail("cannot parse " + path);
  try {
    return static_cast<std::uint64_t>(std::stoull((*fields)[kStartTime]));
  } catch (const std::exception&) {
    return fail("cannot parse the start time in " + path);
  }
}

std::optional<pid_t> read_pidfile(const std::string& path) {
  std::ifstream in(path);
  long long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

void terminate(pid_t pid, std::chrono::milliseconds grace) {
  if (!process_alive(pid)) return;
  ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (process_alive(pid) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (process_alive(pid)) {
    ::kill(pid, SIGKILL);
    while (process_alive(pid)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<pid_t> processes_mentioning(const std::string& needle) {
  std::vector<pid_t> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(name));
    if (pid == ::getpid()) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str().find(needle) != std::string::npos && process_alive(pid)) found.push_back(pid);
  }
  return found;
}

}  // namespace moat::core::sys
