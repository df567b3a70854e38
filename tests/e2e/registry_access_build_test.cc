// Registry Access Management for builds: with moat.registryAccess on, moatd
// reads the Dockerfile in the build context the developer's CLI sends, and a
// build that would pull from (or download through ADD) a registry the admin
// did not allow is refused before the engine sees it.
#include <gtest/gtest.h>

#include <string>

#include "harness/test_stack.h"

namespace moat::testing {
namespace {

class RegistryAccessBuild : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new TestStack("registry-build", test_admin_settings(R"("moat": {"registryAccess": {"locked": true,
        "value": [{"address": "corp.example", "pull": true}]}}, "blockDockerLoad": {"locked": true, "value": true})"));
    const auto up = stack_->up();
    ASSERT_EQ(up.exit_code, 0) << up.all();
    stack_->build_test_images();
    // On an allowed registry and already local, so the builder pulls nothing.
    ASSERT_EQ(stack_->engine_docker("tag moat-test/busybox corp.example/base:1").exit_code, 0);
  }
  static void TearDownTestSuite() {
    stack_->down();
    delete stack_;
    stack_ = nullptr;
  }

  // Writes ~/ra-build/<file> and runs the classic builder as the developer.
  CommandResult build(const std::string& dockerfile, const std::string& flags = "",
                      const std::string& file = "Dockerfile") {
    const auto written = stack_->as_developer("rm -rf ~/ra-build && mkdir -p ~/ra-build/sub && printf '%s' '" +
                                              dockerfile + "' > ~/ra-build/" + file);
    EXPECT_EQ(written.exit_code, 0) << written.all();
    return stack_->as_developer("cd ~/ra-build && DOCKER_BUILDKIT=0 docker build -q " + flags + " .");
  }

  static std::string refusal(const std::string& what) {
    return "Error response from daemon: Moat refused this request: docker build: " + what;
  }

  static TestStack* stack_;
};

TestStack* RegistryAccessBuild::stack_ = nullptr;

TEST_F(RegistryAccessBuild, AFromOnAnAllowedRegistryBuilds) {
  const auto r = build("FROM corp.example/base:1\nRUN echo built > /built\n", "-t ra-allowed");
  ASSERT_EQ(r.exit_code, 0) << r.all() << stack_->logs();
  const auto run = stack_->developer_docker("run --rm ra-allowed cat /built");
  EXPECT_EQ(run.out, "built\n") << run.all();
  stack_->developer_docker("rmi ra-allowed");
}

TEST_F(RegistryAccessBuild, AFromOnAnotherRegistryIsRefused) {
  const auto r = build("FROM corp.example/base:1 AS one\nFROM busybox\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(refusal("Dockerfile line 2 (FROM busybox): registry access to docker.io is not allowed "
                               "(setting moat.registryAccess). An admin can allow it by adding {\"address\": "
                               "\"docker.io\", \"pull\": true} to moat.registryAccess in admin-settings.json.")),
            std::string::npos)
      << r.all();
  // The refusal is in the audit log with its rule.
  const auto records = stack_->moatctl("audit query --rule registry.not-allowed --root " + stack_->root());
  EXPECT_NE(records.out.find("Dockerfile line 2 (FROM busybox)"), std::string::npos) << records.all();
}

TEST_F(RegistryAccessBuild, BuildArgsInFromAreResolvedFirst) {
  const std::string file = "ARG BASE=corp.example/base:1\nFROM ${BASE}\n";
  const auto allowed = build(file);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.all();
  const auto refused = build(file, "--build-arg BASE=evil.example/base:1");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find(refusal("Dockerfile line 2 (FROM evil.example/base:1): registry access to "
                                     "evil.example is not allowed")),
            std::string::npos)
      << refused.all();
}

TEST_F(RegistryAccessBuild, CopyFromAnImageAndAddOfAUrlAreRefused) {
  auto r = build("FROM corp.example/base:1 AS one\nFROM one\nCOPY --from=evil.example/tools /t /t\n");
  EXPECT_NE(r.err.find(refusal("Dockerfile line 3 (COPY --from evil.example/tools): registry access to "
                               "evil.example is not allowed")),
            std::string::npos)
      << r.all();
  r = build("FROM corp.example/base:1\nADD https://evil.example/payload.tgz /p\n");
  EXPECT_NE(r.err.find(refusal("Dockerfile line 2 (ADD https://evil.example/payload.tgz): registry access to "
                               "evil.example is not allowed")),
            std::string::npos)
      << r.all();
}

TEST_F(RegistryAccessBuild, TheFileNamedByDashFIsTheOneRead) {
  // A harmless Dockerfile at the default name does not hide the one used.
  const auto written = stack_->as_developer(
      "rm -rf ~/ra-build && mkdir -p ~/ra-build/sub && printf 'FROM corp.example/base:1\\n' > ~/ra-build/Dockerfile"
      " && printf 'FROM evil.example/base\\n' > ~/ra-build/sub/App.Dockerfile");
  ASSERT_EQ(written.exit_code, 0) << written.all();
  const auto r = stack_->as_developer("cd ~/ra-build && DOCKER_BUILDKIT=0 docker build -q -f sub/App.Dockerfile .");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(refusal("Dockerfile line 1 (FROM evil.example/base): registry access to evil.example is "
                               "not allowed")),
            std::string::npos)
      << r.all();
}

TEST_F(RegistryAccessBuild, ADockerfileOnStandardInputIsReadToo) {
  const auto r = stack_->as_developer("printf 'FROM evil.example/base\\n' | DOCKER_BUILDKIT=0 docker build -q -");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(refusal("Dockerfile line 1 (FROM evil.example/base): registry access to evil.example is "
                               "not allowed")),
            std::string::npos)
      << r.all();
}

// An image that never came from a registry: `docker load` is its own
// setting, and blocked here.
TEST_F(RegistryAccessBuild, DockerLoadIsBlockedBySettingBlockDockerLoad) {
  ASSERT_EQ(stack_->engine_docker("save -o " + stack_->root() + "-busybox.tar moat-test/busybox").exit_code, 0);
  ASSERT_EQ(run("chmod 0644 " + stack_->root() + "-busybox.tar").exit_code, 0);
  const auto r = stack_->developer_docker("load -i " + stack_->root() + "-busybox.tar");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Error response from daemon: Moat refused this request: docker load is blocked (setting "
                       "blockDockerLoad)."),
            std::string::npos)
      << r.all();
  run("rm -f " + stack_->root() + "-busybox.tar");
}

}  // namespace
}  // namespace moat::testing
