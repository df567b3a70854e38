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

// `docker inspect NAME` looks for NAME among containers, images, volumes,
// networks and then plugins, and stops at the first answer that is not "not
// found". Moat's refusal of the plugin lookup is answered as not found, so
// a name that is nothing gets the CLI's own message, not a refusal of
// plugin commands the developer never typed; asked for a plugin, they see
// the refusal, which the log records either way.
TEST(DeveloperWorkflow, InspectingANameThatIsNothingSaysSo) {
  auto& s = shared_stack();
  auto r = s.developer_docker("inspect wf-no-such-object");
  EXPECT_EQ(r.exit_code, 1) << r.all();
  EXPECT_EQ(r.err, "Error: No such object: wf-no-such-object\n") << r.all();
  r = s.developer_docker("plugin inspect wf-no-such-object");
  EXPECT_EQ(r.exit_code, 1) << r.all();
  EXPECT_NE(r.err.find("Error response from daemon: Moat refused this request: docker plugin commands are not "
                       "allowed: a plugin runs with the engine's privileges (setting moat.allowPlugins)."),
            std::string::npos)
      << r.all();
  const auto audited = s.moatctl("audit query --rule endpoint.plugins --outcome deny --root " + s.root());
  EXPECT_NE(audited.out.find("GET /v1.41/plugins/wf-no-such-object/json"), std::string::npos) << audited.all();
  ASSERT_EQ(s.developer_docker("run -d --name wf-inspect moat-test/busybox sleep 60").exit_code, 0);
  r = s.developer_docker("inspect -f '{{.Name}}' wf-inspect");
  EXPECT_EQ(r.out, "/wf-inspect\n") << r.all();
  s.developer_docker("rm -f wf-inspect");
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

// The log drivers that keep a container's output on this machine work as
// ever (those that send it elsewhere are refused: hostile_requests_test).
TEST(DeveloperWorkflow, KeepsLogsWithTheLocalDrivers) {
  auto& s = shared_stack();
  for (const std::string driver : {"json-file", "local"}) {
    SCOPED_TRACE(driver);
    s.developer_docker("rm -f wf-log-driver");
    auto r = s.developer_docker("run --name wf-log-driver --log-driver " + driver +
                                " --log-opt max-size=1m moat-test/busybox echo kept");
    EXPECT_EQ(r.exit_code, 0) << r.all();
    r = s.developer_docker("logs wf-log-driver");
    EXPECT_EQ(r.out, "kept\n") << r.all();
  }
  s.developer_docker("rm -f wf-log-driver");
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

// docker cp, diff, export and commit show what a running container changed.
// moat-runc runs it on an overlay of its own; the engine's overlay of the
// same layers kept what it had looked up (here /tmp, the working directory
// the engine made sure of at create), so before moatd mounted it afresh for
// each of these, the engine missed the container's new files, read old
// contents and failed with ESTALE on a path the container had removed.
TEST(DeveloperWorkflow, CopyDiffExportAndCommitSeeWhatTheRunningContainerChanged) {
  auto& s = shared_stack();
  s.developer_docker("rm -f wf-view");
  ASSERT_EQ(s.developer_docker("run -d --name wf-view -w /tmp moat-test/busybox sleep 120").exit_code, 0);
  const auto read_out = [&s](const std::string& path) {
    return s.as_developer("docker cp wf-view:" + path + " - | tar -xO");
  };
  ASSERT_EQ(s.developer_docker("exec wf-view sh -c 'echo first > /tmp/out'").exit_code, 0);
  auto r = read_out("/tmp/out");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(r.out, "first\n");

  ASSERT_EQ(s.developer_docker("exec wf-view sh -c 'echo second > /tmp/out; echo built > /tmp/made'").exit_code, 0);
  r = read_out("/tmp/out");
  EXPECT_EQ(r.out, "second\n") << r.all();
  r = read_out("/tmp/made");
  EXPECT_EQ(r.out, "built\n") << r.all();

  ASSERT_EQ(s.developer_docker("exec wf-view rm /tmp/out").exit_code, 0);
  ASSERT_EQ(s.as_developer("echo copied-in > ~/view-in.txt").exit_code, 0);
  r = s.developer_docker("cp ~/view-in.txt wf-view:/tmp/out");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  r = s.developer_docker("exec wf-view cat /tmp/out");
  EXPECT_EQ(r.out, "copied-in\n") << r.all();

  r = s.developer_docker("diff wf-view");
  EXPECT_NE(r.out.find("A /tmp/made\n"), std::string::npos) << r.all();
  r = s.as_developer("docker export wf-view | tar -t");
  EXPECT_NE(r.out.find("tmp/made\n"), std::string::npos) << r.all();
  ASSERT_EQ(s.developer_docker("commit wf-view moat-test/wf-view").exit_code, 0);
  r = s.developer_docker("run --rm moat-test/wf-view cat /tmp/made /tmp/out");
  EXPECT_EQ(r.out, "built\ncopied-in\n") << r.all();

  s.developer_docker("rm -f wf-view");
  s.developer_docker("rmi moat-test/wf-view");
}

// When moatd cannot mount the engine's view of a container again (here: the
// engine's layer record of it is damaged), the copy is refused as Moat's own
// failure (503, outcome "error" in the audit log), with the reason, and
// works again once the record is whole.
TEST(DeveloperWorkflow, ACopyIsRefusedAsMoatsOwnErrorWhenTheEnginesViewCannotBeMounted) {
  auto& s = shared_stack();
  s.developer_docker("rm -f wf-no-view");
  ASSERT_EQ(s.developer_docker("run -d --name wf-no-view moat-test/busybox sleep 120").exit_code, 0);
  auto id = s.developer_docker("inspect -f '{{.Id}}' wf-no-view").out;
  while (!id.empty() && id.back() == '\n') id.pop_back();
  ASSERT_EQ(id.size(), 64U) << id;
  const std::filesystem::path record = s.root() + "/engine-data/image/overlay2/layerdb/mounts/" + id + "/mount-id";
  std::string layer;
  ASSERT_TRUE(std::getline(std::ifstream(record), layer)) << record;
  std::ofstream(record) << "not-a-layer";

  auto r = s.developer_docker("cp wf-no-view:/etc/passwd -");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Error response from daemon: Moat refused this request: Moat could not mount container " + id +
                       "'s files afresh for the engine (" +
                       record.string() +
                       " does not name a layer), and the engine's older mount may not show what the container "
                       "changed (rule container.engine-view). Try again; if this persists, an admin should read "
                       "moatd's log."),
            std::string::npos)
      << r.all();
  r = s.as_developer("curl -s -o /dev/null -w '%{http_code}' --unix-socket " + s.root() +
                     "/docker.sock 'http://d/v1.41/containers/wf-no-view/archive?path=/etc/passwd'");
  EXPECT_EQ(r.out, "503") << r.all();
  const auto audited =
      s.moatctl("audit query --rule container.engine-view --outcome error --json --root " + s.root());
  EXPECT_NE(audited.out.find("\"request\":\"GET /v1.41/containers/" + id + "/archive?path=%2Fetc%2Fpasswd\""),
            std::string::npos)
      << audited.all();

  std::ofstream(record) << layer;
  r = s.as_developer("docker cp wf-no-view:/etc/passwd - | tar -xO | head -1");
  EXPECT_EQ(r.out, "root:x:0:0:root:/root:/bin/sh\n") << r.all();
  s.developer_docker("rm -f wf-no-view");
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
