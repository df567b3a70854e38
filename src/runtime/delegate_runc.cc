#include "runtime/delegate_runc.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/sys/die_with_parent.h"

namespace moat::runtime {
namespace {

std::vector<char*> make_argv(const std::string& runc_path, const std::vector<std::string>& args,
                             std::vector<std::string>& storage) {
  storage.clear();
  storage.push_back(runc_path);
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) {
    argv.push_back(s.data());
  }
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

Error exec_runc(const std::string& runc_path, const std::vector<std::string>& args) {
  std::vector<std::string> storage;
  std::vector<char*> argv = make_argv(runc_path, args, storage);
  ::execv(runc_path.c_str(), argv.data());
  return Error{"cannot run " + runc_path + ": " + std::strerror(errno)};
}

Result<int> run_runc(const std::string& runc_path, const std::vector<std::string>& args) {
  std::vector<std::string> storage;
  std::vector<char*> argv = make_argv(runc_path, args, storage);
  const pid_t parent = ::getpid();
  // vfork, not fork: the engine waits for every create and delete, and
  // copying moat-runc's page tables only for exec to drop them cost about
  // 1 ms a call on a virtual machine. The child only makes system calls on
  // what was prepared above (argv), which is all vfork allows.
  const pid_t child = ::vfork();
  if (child < 0) {
    return fail(std::string("cannot fork: ") + std::strerror(errno));
  }
  if (child == 0) {
    if (!sys::die_with_parent(parent)) {
      ::_exit(127);
    }
    ::execv(runc_path.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      return fail(std::string("cannot wait for runc: ") + std::strerror(errno));
    }
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return WEXITSTATUS(status);
}

}  // namespace moat::runtime
