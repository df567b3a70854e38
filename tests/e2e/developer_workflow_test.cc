// A developer's everyday docker commands work unchanged through moatd.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "e2e/shared_stack.h"

namespace moat::testing {
namespace {

TEST(DeveloperWorkflow, RunsAContainer) {
  auto& s = shared_stack();
  const auto r = s.developer_docker("run --rm moat-test/busybox echo hello from a container");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(r.out, "hello from a container\n");
}

TEST(DeveloperWorkflow, ListsContainers) {
  auto& s = shared_stack();
  ASSERT_EQ(s.developer_docker("run -d --name wf-ps moat-test/busybox sleep 60").exit_code, 0);
  const auto r = s.developer_docker("ps --format '{{.Names}} {{.Image}}'");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.out.find("wf-ps moat-test/busybox"), std::string::npos) << r.out;
  s.developer_docker("rm -f wf-ps");
}

// A stopped container starts again on its own writable layer, with what it
// wrote the first time (moat-runc's overlay of it is mounted anew each time).
TEST(DeveloperWorkflow, StartsAStoppedContainerAgain) {
  auto& s = shared_stack();
  s.developer_docker("rm -f wf-again");
  auto r = s.developer_docker("run --name wf-again moat-test/busybox sh -c 'echo run >> /runs; cat /runs'");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(r.out, "run\n");
  r = s.developer_docker("start -a wf-again");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(r.out, "run\nrun\n") << r.all();
  s.developer_docker("rm -f wf-again");
}

TEST(DeveloperWorkflow, FollowsLogsUntilTheContainerEnds) {
  auto& s = shared_stack();
  ASSERT_EQ(s.developer_docker("run -d --name wf-logs moat-test/busybox sh -c "
                               "'for i in 1 2 3; do echo line$i; sleep 0.3; done'")
                .exit_code,
            0);
  const auto r = s.developer_docker("logs -f wf-logs", std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(r.out, "line1\nline2\nline3\n");
  s.developer_docker("rm -f wf-logs");
}

TEST(DeveloperWorkflow, ExecWithATerminal) {
  auto& s = shared_stack();
  ASSERT_EQ(s.developer_docker("run -d --name wf-exec moat-test/busybox sleep 60").exit_code, 0);
  // script(1) gives the CLI a real pty, as a developer's terminal would.
  const auto r = s.as_developer(
      "script -qec \"docker exec -it wf-exec sh -c 'tty; echo exec-ok'\" /dev/null", std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.out.find("/dev/pts/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("exec-ok"), std::string::npos) << r.out;
  s.developer_docker("rm -f wf-exec");
}

TEST(DeveloperWorkflow, InteractiveRunWithStdin) {
  auto& s = shared_stack();
  const auto r = s.as_developer("echo piped-input | docker run --rm -i moat-test/busybox cat");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(r.out, "piped-input\n");
}

TEST(DeveloperWorkflow, CopiesFilesBothWays) {
  auto& s = shared_stack();
  ASSERT_EQ(s.developer_docker("run -d --name wf-cp moat-test/busybox sleep 60").exit_code, 0);
  ASSERT_EQ(s.as_developer("echo to-container > ~/cp-in.txt").exit_code, 0);
  auto r = s.developer_docker("cp ~/cp-in.txt wf-cp:/tmp/cp-in.txt");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  r = s.developer_docker("exec wf-cp cat /tmp/cp-in.txt");
  EXPECT_EQ(r.out, "to-container\n");
  ASSERT_EQ(s.developer_docker("exec wf-cp sh -c 'echo from-container > /tmp/cp-out.txt'").exit_code, 0);
  r = s.developer_docker("cp wf-cp:/tmp/cp-out.txt ~/cp-out.txt");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  r = s.as_developer("cat ~/cp-out.txt && stat -c %U ~/cp-out.txt");
  EXPECT_EQ(r.out, "from-container\n" + developer() + "\n");
  s.developer_docker("rm -f wf-cp");
}

TEST(DeveloperWorkflow, BuildsATwoStageDockerfile) {
  auto& s = shared_stack();
  const std::string ctx = developer_home() + "/two-stage";
  ASSERT_EQ(s.as_developer("mkdir -p ~/two-stage && printf '%s\\n' "
                           "'FROM moat-test/busybox AS build' 'RUN echo built-in-stage-one > /artifact' "
                           "'FROM moat-test/busybox' 'COPY --from=build /artifact /artifact' "
                           "'CMD [\"cat\", \"/artifact\"]' > ~/two-stage/Dockerfile")
                .exit_code,
            0);
  auto r = s.as_developer("DOCKER_BUILDKIT=0 docker build -q -t wf-two-stage ~/two-stage");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  r = s.developer_docker("run --rm wf-two-stage");
  EXPECT_EQ(r.out, "built-in-stage-one\n") << r.all();
  s.developer_docker("rmi wf-two-stage");
}

TEST(DeveloperWorkflow, RunsTheSeveralLayerImage) {
  auto& s = shared_stack();
  const auto r = s.developer_docker("run --rm moat-test/layers sh -c 'cat /data/1 /data/2 /data/4; id app'");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(r.out, "one\ntwo\nfour\nuid=1000(app) gid=1000(app) groups=1000(app)\n");
  const auto history = s.engine_docker("history -q moat-test/layers");
  EXPECT_GE(std::count(history.out.begin(), history.out.end(), '\n'), 6) << history.out;
}

}  // namespace
}  // namespace moat::testing
