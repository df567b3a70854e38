// The real docker CLI (API 1.41) through GuardedSession to a real dockerd:
// every kind of stream the CLI uses.

#include <gtest/gtest.h>

#include "moatd/proxy/guarded_session.h"
#include "proxy_test_support.h"
#include "test_policy.h"

namespace moat::moatd::proxy::test_support {
namespace {

class GuardedSessionCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = &Engine::shared();
    ASSERT_TRUE(engine_->ready()) << "dockerd could not be started: " << engine_->failure();
    server_ = std::make_unique<SessionServer>(test_options(engine_->socket(), log_));
  }
  void TearDown() override { server_.reset(); }

  Engine* engine_ = nullptr;
  std::shared_ptr<JudgeLog> log_ = std::make_shared<JudgeLog>();
  std::unique_ptr<SessionServer> server_;
};

TEST_F(GuardedSessionCliTest, Version) {
  const CommandResult r = server_->docker("version --format '{{.Client.Version}} {{.Server.Version}} {{.Server.APIVersion}}'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "28.2.2 20.10.24+dfsg1 1.41\n");
  EXPECT_TRUE(log_->saw("GET /v1.41/version"));
}

TEST_F(GuardedSessionCliTest, RunEcho) {
  const CommandResult r = server_->docker("run --rm t/busybox echo hi");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hi\n");
  EXPECT_TRUE(log_->saw("POST /v1.41/containers/create"));
}

TEST_F(GuardedSessionCliTest, PrivilegedCreateIsRefusedWithTheJudgesMessage) {
  const CommandResult r = server_->docker("run --privileged --rm t/busybox true");
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')),
            std::string("docker: Error response from daemon: ") + kPrivilegedRefusal);
  EXPECT_EQ(engine_->docker("ps -aq").out, "");  // nothing was created
}

TEST_F(GuardedSessionCliTest, LogsFollowRelaysLinesAsTheyComeAndStopsWithTheClient) {
  ASSERT_EQ(engine_->docker("run -d --name mpx-logs t/busybox sh -c 'echo one; echo two; sleep 1000'").exit_code, 0);
  // The stream never ends on its own: seeing the lines before the timeout
  // shows they were relayed as they came.
  const CommandResult r = server_->shell("timeout 3 docker logs -f mpx-logs");
  EXPECT_EQ(r.exit_code, 124) << r.err;
  EXPECT_EQ(r.out, "one\ntwo\n");
  EXPECT_TRUE(eventually([] { return live_guarded_sessions() == 0; }))
      << live_guarded_sessions() << " sessions still open after the client went away";
  engine_->docker("rm -f mpx-logs");
}

TEST_F(GuardedSessionCliTest, EventsUntilEndsTheStream) {
  ASSERT_EQ(engine_->docker("create --name mpx-events t/busybox true").exit_code, 0);
  const CommandResult r = server_->shell(
      "docker events --since 1 --until $(( $(date +%s) + 1 )) --filter container=mpx-events "
      "--format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}'", 30s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "container create mpx-events\n");
  engine_->docker("rm mpx-events");
}

TEST_F(GuardedSessionCliTest, ExecWithAndWithoutTty) {
  ASSERT_EQ(engine_->docker("run -d --name mpx-exec t/busybox sleep 1000").exit_code, 0);
  const CommandResult plain = server_->docker("exec mpx-exec echo plain");
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out, "plain\n");
  // script(1) gives the CLI a terminal, as a developer's shell would.
  const CommandResult tty = server_->shell("script -qec 'docker exec -t mpx-exec echo tty' /dev/null < /dev/null");
  EXPECT_EQ(tty.exit_code, 0) << tty.err;
  // The container's terminal turns \n into \r\n, script's terminal adds
  // another \r: the same bytes as straight at the engine.
  EXPECT_EQ(tty.out, "tty\r\r\n");
  const CommandResult piped = server_->shell("echo piped | docker exec -i mpx-exec cat");
  EXPECT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out, "piped\n");
  int exec_starts = 0;
  for (const auto& seen : log_->seen()) {
    if (seen.rfind("POST /v1.41/exec/", 0) == 0 && seen.ends_with("/start")) ++exec_starts;
  }
  EXPECT_EQ(exec_starts, 3);
  engine_->docker("rm -f mpx-exec");
}

TEST_F(GuardedSessionCliTest, InteractiveRunGetsStdinAndItsEnd) {
  const CommandResult r = server_->shell("echo x | docker run -i --rm t/busybox cat");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "x\n");
  const CommandResult tty = server_->shell("script -qec 'docker run -t --rm t/busybox echo run-tty' /dev/null < /dev/null");
  EXPECT_EQ(tty.exit_code, 0) << tty.err;
  EXPECT_EQ(tty.out, "run-tty\r\r\n");
}

TEST_F(GuardedSessionCliTest, CopyBothWays) {
  ASSERT_EQ(engine_->docker("create --name mpx-cp t/busybox true").exit_code, 0);
  const std::string dir = server_->dir();
  std::ofstream(dir + "/in.txt") << "copied in and out\n";
  const CommandResult in = server_->docker("cp " + dir + "/in.txt mpx-cp:/tmp/in.txt");
  EXPECT_EQ(in.exit_code, 0) << in.err;
  const CommandResult out = server_->docker("cp mpx-cp:/tmp/in.txt " + dir + "/out.txt");
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(read_file(dir + "/out.txt"), "copied in and out\n");
  EXPECT_TRUE(log_->saw("PUT /v1.41/containers/mpx-cp/archive"));
  EXPECT_TRUE(log_->saw("GET /v1.41/containers/mpx-cp/archive"));
  engine_->docker("rm mpx-cp");
}

TEST_F(GuardedSessionCliTest, SaveAndLoadStreamTheArchive) {
  ASSERT_EQ(engine_->docker("tag t/busybox t/roundtrip").exit_code, 0);
  const std::string tar = server_->dir() + "/roundtrip.tar";
  const CommandResult saved = server_->docker("save -o " + tar + " t/roundtrip");
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  EXPECT_GT(fs::file_size(tar), 1000000U);  // busybox-static is over 1 MB
  ASSERT_EQ(engine_->docker("rmi t/roundtrip").exit_code, 0);
  const CommandResult loaded = server_->docker("load -i " + tar);
  EXPECT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_EQ(loaded.out, "Loaded image: t/roundtrip:latest\n");
  EXPECT_EQ(engine_->docker("image inspect -f '{{.Id}}' t/roundtrip").out,
            engine_->docker("image inspect -f '{{.Id}}' t/busybox").out);
  EXPECT_TRUE(log_->saw("POST /v1.41/images/load"));
  engine_->docker("rmi t/roundtrip");
}

TEST_F(GuardedSessionCliTest, LegacyBuildStreamsItsContext) {
  const std::string ctx = server_->dir() + "/ctx";
  fs::create_directories(ctx);
  std::ofstream(ctx + "/Dockerfile") << "FROM t/busybox\nCOPY hello.txt /hello.txt\nRUN cat /hello.txt > /copied.txt\n";
  std::ofstream(ctx + "/hello.txt") << "built through moat\n";
  const CommandResult built = server_->shell("DOCKER_BUILDKIT=0 docker build -q -t t/built " + ctx);
  EXPECT_EQ(built.exit_code, 0) << built.out << built.err;
  const CommandResult ran = server_->docker("run --rm t/built cat /copied.txt");
  EXPECT_EQ(ran.out, "built through moat\n") << ran.err;
  EXPECT_TRUE(log_->saw("POST /v1.41/build"));
}

}  // namespace
}  // namespace moat::moatd::proxy::test_support
