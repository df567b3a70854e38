// moatctl up, down and status on stacks of their own.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/test_stack.h"

namespace moat::testing {
namespace {

// Live processes that name the stack's root (dockerd, containerd, shims,
// moatd), one "PID COMMAND LINE" a line.
std::vector<std::string> stack_processes(const TestStack& s) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos || pid == std::to_string(::getpid())) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ifstream stat(entry.path() / "stat");
    std::string state;
    std::getline(stat, state);
    const bool zombie = state.find(") Z ") != std::string::npos;
    if (!zombie && cmdline.find(s.root()) != std::string::npos) {
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      found.push_back(pid + " " + cmdline);
    }
  }
  return found;
}

// Those processes and the mounts under the stack's root.
std::string leftovers(const TestStack& s) {
  std::string found;
  for (const auto& process : stack_processes(s)) found += process + "\n";
  return found + run("grep -F " + quote(s.root()) + " /proc/self/mountinfo || true").out;
}

TEST(StackLifecycle, UpDownUpLeavesNothingBehind) {
  TestStack s("lifecycle", test_admin_settings());
  auto r = s.up();
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.out.find("Moat is up"), std::string::npos);
  // A running container gives down something to clean: its shim and mounts.
  ASSERT_EQ(run("tar -C /bin -c busybox | DOCKER_HOST=unix://" + s.engine_socket() +
                " docker import -c 'CMD [\"/busybox\",\"sleep\",\"600\"]' - lc/busybox").exit_code, 0);
  ASSERT_EQ(s.engine_docker("run -d lc/busybox").exit_code, 0);
  EXPECT_NE(leftovers(s), "");
  r = s.down();
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(r.out, "Moat is down\n");
  EXPECT_EQ(leftovers(s), "");
  r = s.up();
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(s.engine_docker("images -q lc/busybox").out.empty(), false) << "data root survives down";
  r = s.down();
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(leftovers(s), "");
}

// The engine, its shims, moatd and the container all killed at once, as a
// host out of memory might: nothing runs moat-runc's `delete`, yet `down`
// leaves no mount behind, the container's ID-mapped root and bind clones
// included.
TEST(StackLifecycle, DownAfterEverythingWasKilledLeavesNoMount) {
  TestStack s("killed", test_admin_settings());
  ASSERT_EQ(s.up().exit_code, 0);
  ASSERT_EQ(run("tar -C /bin -c busybox | DOCKER_HOST=unix://" + s.engine_socket() +
                " docker import -c 'CMD [\"/busybox\",\"sleep\",\"600\"]' - killed/busybox").exit_code, 0);
  const auto shared = run("mktemp -d /tmp/moat-e2e-killed-bind-XXXXXX");
  ASSERT_EQ(shared.exit_code, 0);
  const std::string shared_dir = shared.out.substr(0, shared.out.find('\n'));
  const auto started = s.engine_docker("run -d --network none -v " + shared_dir + ":/shared killed/busybox");
  ASSERT_EQ(started.exit_code, 0) << started.all();
  const std::string container_pid = s.engine_docker("inspect -f '{{.State.Pid}}' " + started.out.substr(0, 12)).out;
  const std::string runtime_mounts =
      "grep -F " + quote(s.root() + "/runtime/containers/") + " /proc/self/mountinfo | wc -l";
  // The root and the clones of the engine's hosts, hostname and resolv.conf.
  ASSERT_GE(std::stoi(run(runtime_mounts).out), 4) << run("cat /proc/self/mountinfo").out;

  std::string pids = container_pid.substr(0, container_pid.find('\n'));
  for (const auto& process : stack_processes(s)) pids += " " + process.substr(0, process.find(' '));
  ASSERT_EQ(run("kill -9 " + pids).exit_code, 0) << pids;
  run("sleep 1");
  const auto down = s.down();
  EXPECT_EQ(down.exit_code, 0) << down.all();
  EXPECT_EQ(leftovers(s), "");
  run("rm -rf " + quote(shared_dir));
}

TEST(StackLifecycle, UpOnARunningStackIsANoOp) {
  TestStack s("noop", test_admin_settings());
  ASSERT_EQ(s.up().exit_code, 0);
  const auto before = nlohmann::json::parse(s.moatctl("status --json --root " + s.root()).out);
  const auto again = s.up();
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.out, "Moat is already running on " + s.user_socket() + "\n");
  const auto after = nlohmann::json::parse(s.moatctl("status --json --root " + s.root()).out);
  EXPECT_EQ(before["components"]["dockerd"]["pid"], after["components"]["dockerd"]["pid"]);
  EXPECT_EQ(before["components"]["moatd"]["pid"], after["components"]["moatd"]["pid"]);
}

TEST(StackLifecycle, StatusReportsComponentsSettingsAndEci) {
  TestStack s("status", test_admin_settings(R"("blockDockerLoad": {"locked": true, "value": true})"));
  ASSERT_EQ(s.up().exit_code, 0);
  const auto r = s.moatctl("status --json --root " + s.root());
  ASSERT_EQ(r.exit_code, 0) << r.all();
  const auto st = nlohmann::json::parse(r.out);
  EXPECT_EQ(st["state"], "running");
  EXPECT_EQ(st["components"]["dockerd"]["running"], true);
  EXPECT_EQ(st["components"]["dockerd"]["responding"], true);
  EXPECT_EQ(st["components"]["dockerd"]["socket"]["mode"], "0600");
  EXPECT_EQ(st["components"]["dockerd"]["socket"]["owner"], 0);
  EXPECT_EQ(st["components"]["dockerd"]["version"], "20.10.24+dfsg1");
  EXPECT_EQ(st["components"]["moatd"]["socket"]["mode"], "0660");
  EXPECT_EQ(st["components"]["moatd"]["socket"]["group"], "docker");
  EXPECT_EQ(st["settings"]["source"], s.admin_settings());
  EXPECT_EQ(st["settings"]["usingLastGood"], false);
  const auto& locked = st["settings"]["locked"];
  EXPECT_NE(std::find(locked.begin(), locked.end(), "blockDockerLoad"), locked.end());
  EXPECT_NE(std::find(locked.begin(), locked.end(), "enhancedContainerIsolation"), locked.end());
  EXPECT_EQ(st["eci"]["requested"], true);
  EXPECT_TRUE(st["eci"].contains("active"));
  EXPECT_TRUE(st["eci"].contains("runtime"));
}

TEST(StackLifecycle, ReportsADeadEngineAndRecoversOnUp) {
  TestStack s("recover", test_admin_settings());
  ASSERT_EQ(s.up().exit_code, 0);
  const auto before = nlohmann::json::parse(s.moatctl("status --json --root " + s.root()).out);
  const int pid = before["components"]["dockerd"]["pid"];
  ASSERT_EQ(run("kill -9 " + std::to_string(pid)).exit_code, 0);
  run("sleep 0.5");
  const auto degraded = s.moatctl("status --json --root " + s.root());
  EXPECT_EQ(degraded.exit_code, 1);
  const auto st = nlohmann::json::parse(degraded.out);
  EXPECT_EQ(st["state"], "degraded");
  EXPECT_EQ(st["components"]["dockerd"]["running"], false);
  EXPECT_EQ(st["components"]["moatd"]["responding"], true);
  const auto up = s.up();
  ASSERT_EQ(up.exit_code, 0) << up.all() << s.logs();
  const auto after = nlohmann::json::parse(s.moatctl("status --json --root " + s.root()).out);
  EXPECT_EQ(after["state"], "running");
  EXPECT_NE(after["components"]["dockerd"]["pid"], pid);
  EXPECT_EQ(after["components"]["moatd"]["pid"], st["components"]["moatd"]["pid"]);
}

TEST(StackLifecycle, StatusOfAStoppedStack) {
  TestStack s("stopped", test_admin_settings());
  const auto r = s.moatctl("status --json --root " + s.root());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(nlohmann::json::parse(r.out)["state"], "stopped");
}

// A stopped stack whose record names processes that are not the stack's: a
// pid reused after a reboot, a record left by a stack that died. `down`
// stops only what is the stack's, `status` calls none of them running, and
// a record that is not one moatctl wrote is reported, not obeyed.
TEST(StackLifecycle, ARecordedPidThatIsNoLongerTheStacksIsLeftAlone) {
  TestStack s("reused", test_admin_settings());
  const auto started = run("sleep 600 >/dev/null 2>&1 & echo $!");
  ASSERT_EQ(started.exit_code, 0);
  const std::string bystander = started.out.substr(0, started.out.find('\n'));
  const std::string record = s.root() + "/state/stack.json";
  ASSERT_EQ(run("mkdir -p " + quote(s.root() + "/state")).exit_code, 0);
  for (const std::string starts : {"", ", \"dockerdStarted\": 1, \"moatdStarted\": 1"}) {
    std::ofstream(record, std::ios::trunc) << "{\"dockerd\": " << bystander << ", \"moatd\": " << bystander
                                           << starts << "}\n";
    const auto status = s.moatctl("status --json --root " + s.root());
    EXPECT_EQ(status.exit_code, 3) << status.all();
    const auto st = nlohmann::json::parse(status.out);
    EXPECT_EQ(st["components"]["dockerd"]["running"], false);
    EXPECT_EQ(st["components"]["moatd"]["running"], false);
    const auto down = s.down();
    EXPECT_EQ(down.exit_code, 0) << down.all();
    EXPECT_EQ(run("kill -0 " + bystander).exit_code, 0) << "down signalled pid " << bystander << ", not the stack's";
  }

  std::ofstream(record, std::ios::trunc) << "{\"dockerd\": \"" << bystander << "\"}\n";
  const auto status = s.moatctl("status --json --root " + s.root());
  EXPECT_EQ(status.exit_code, 3) << status.all();
  EXPECT_NE(status.err.find("moatctl status: ignoring the stack's record (" + record +
                            ": field \"dockerd\" must be a process id (0 to 4194304))"),
            std::string::npos)
      << status.all();
  const auto down = s.down();
  EXPECT_EQ(down.exit_code, 0) << down.all();
  EXPECT_NE(down.err.find("moatctl down: ignoring the stack's record (" + record), std::string::npos) << down.all();
  EXPECT_EQ(run("kill -0 " + bystander).exit_code, 0);
  run("kill " + bystander);
}

}  // namespace
}  // namespace moat::testing
