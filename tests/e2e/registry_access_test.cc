// Registry Access Management against real registries: two docker-registry
// servers over TLS in network namespaces of their own, one on the admin's
// list and one not. The developer uses the real docker CLI; every refused
// case also shows, from the refused registry's own log, that not one request
// reached it, and that the refusal is in the audit log.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "harness/test_registry.h"
#include "harness/test_stack.h"

namespace moat::testing {
namespace {

class RegistryAccess : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    allowed_ = std::make_unique<TestRegistry>(1);
    refused_ = std::make_unique<TestRegistry>(2);
    // The allowed registry's host also serves plain files (port 80), for
    // ADD and import URLs; the list names that host without a port.
    files_dir_ = scratch_dir() + "/registry-files";
    ASSERT_EQ(run("mkdir -p " + files_dir_ + "/rootfs && echo from-the-file-server > " + files_dir_ +
                  "/payload.txt && cp " + files_dir_ + "/payload.txt " + files_dir_ + "/rootfs/ && tar -C " +
                  files_dir_ + "/rootfs -cf " + files_dir_ + "/rootfs.tar payload.txt")
                  .exit_code,
              0);
    allowed_->serve_files(files_dir_);
    allowed_->trust_in_host_store();
    stack_ = std::make_unique<TestStack>(
        "registry-access", test_admin_settings(R"("moat": {"registryAccess": {"locked": true, "value": [
            {"address": ")" + allowed_->address() + R"(", "nickname": "corp", "pull": true, "push": true},
            {"address": ")" + allowed_->host() + R"(", "nickname": "files"}]}})"));
    const auto up = stack_->up();
    ASSERT_EQ(up.exit_code, 0) << up.all();
    stack_->build_test_images();
    // Both registries hold team/app:1: root pushes it to the allowed one
    // straight at the engine, and the refused one gets a copy of its storage
    // (the engine cannot reach it, not even as root).
    const std::string name = allowed_->address() + "/team/app:1";
    ASSERT_EQ(stack_->engine_docker("tag moat-test/busybox " + name).exit_code, 0);
    const auto pushed = stack_->engine_docker("push " + name);
    ASSERT_EQ(pushed.exit_code, 0) << pushed.all() << allowed_->log() << stack_->logs();
    ASSERT_EQ(stack_->engine_docker("rmi " + name).exit_code, 0);
    refused_->copy_contents_from(*allowed_);
  }
  static void TearDownTestSuite() {
    stack_.reset();
    refused_.reset();
    allowed_.reset();
  }

  static std::string refused_message() {
    return "Moat refused this request: registry access to " + refused_->address() +
           " is not allowed (setting moat.registryAccess).";
  }

  // Audit records refusing access to the refused registry, so far.
  static std::size_t refusals_recorded() {
    const auto r = stack_->moatctl("audit query --outcome deny --root " + stack_->root());
    std::size_t n = 0;
    const std::string needle = "registry access to " + refused_->address() + " is not allowed";
    for (auto at = r.out.find(needle); at != std::string::npos; at = r.out.find(needle, at + 1)) ++n;
    return n;
  }

  // Runs `command` as the developer, expects the refusal, that the refused
  // registry saw no request meanwhile, and that the refusal was recorded.
  static void expect_refused_unreached(const std::string& command, const std::string& message) {
    const int before = refused_->requests();
    const std::size_t recorded = refusals_recorded();
    const auto r = stack_->as_developer(command);
    EXPECT_NE(r.exit_code, 0) << r.all();
    EXPECT_NE(r.err.find(message), std::string::npos) << r.all();
    EXPECT_EQ(refused_->requests(), before) << refused_->log();
    EXPECT_GT(refusals_recorded(), recorded) << "no audit record for: " << command;
  }

  static std::unique_ptr<TestRegistry> allowed_;
  static std::unique_ptr<TestRegistry> refused_;
  static std::unique_ptr<TestStack> stack_;
  static std::string files_dir_;
};

std::unique_ptr<TestRegistry> RegistryAccess::allowed_;
std::unique_ptr<TestRegistry> RegistryAccess::refused_;
std::unique_ptr<TestStack> RegistryAccess::stack_;
std::string RegistryAccess::files_dir_;

TEST_F(RegistryAccess, PullFromTheAllowedRegistry) {
  const int before = allowed_->requests();
  const auto r = stack_->developer_docker("pull -q " + allowed_->address() + "/team/app:1");
  EXPECT_EQ(r.exit_code, 0) << r.all() << allowed_->log();
  EXPECT_GT(allowed_->requests(), before);
  stack_->engine_docker("rmi " + allowed_->address() + "/team/app:1");
}

TEST_F(RegistryAccess, PullFromAnotherRegistryNeverReachesIt) {
  expect_refused_unreached("docker pull " + refused_->address() + "/team/app:1", refused_message());
  const auto records = stack_->moatctl("audit query --outcome deny --root " + stack_->root());
  EXPECT_NE(records.out.find("registry.not-allowed"), std::string::npos) << records.all();
  EXPECT_NE(records.out.find("registry access to " + refused_->address() + " is not allowed"), std::string::npos)
      << records.all();
}

TEST_F(RegistryAccess, RunOfAMissingImagePullsOnlyFromTheAllowedRegistry) {
  const auto r = stack_->developer_docker("run --rm " + allowed_->address() + "/team/app:1 echo ran");
  EXPECT_EQ(r.out, "ran\n") << r.all();
  stack_->engine_docker("rmi " + allowed_->address() + "/team/app:1");
  expect_refused_unreached("docker run --rm " + refused_->address() + "/team/app:1 echo ran", refused_message());
}

TEST_F(RegistryAccess, PushOnlyWhereTheListAllowsIt) {
  ASSERT_EQ(stack_->developer_docker("tag moat-test/busybox " + allowed_->address() + "/dev/app:1").exit_code, 0);
  const auto pushed = stack_->developer_docker("push -q " + allowed_->address() + "/dev/app:1");
  EXPECT_EQ(pushed.exit_code, 0) << pushed.all() << allowed_->log();
  ASSERT_EQ(stack_->developer_docker("tag moat-test/busybox " + refused_->address() + "/dev/app:1").exit_code, 0);
  expect_refused_unreached("docker push " + refused_->address() + "/dev/app:1", refused_message());
  stack_->engine_docker("rmi " + allowed_->address() + "/dev/app:1 " + refused_->address() + "/dev/app:1");
}

TEST_F(RegistryAccess, BuildPullsItsFromOnlyFromTheAllowedRegistry) {
  const auto written = stack_->as_developer(
      "rm -rf ~/ra-pull && mkdir -p ~/ra-pull && printf 'ARG BASE=" + allowed_->address() +
      "/team/app:1\\nFROM ${BASE} AS base\\nFROM base\\nRUN echo built > /built\\n' > ~/ra-pull/Dockerfile");
  ASSERT_EQ(written.exit_code, 0) << written.all();
  const auto built = stack_->as_developer("DOCKER_BUILDKIT=0 docker build -q -t ra-pulled ~/ra-pull");
  EXPECT_EQ(built.exit_code, 0) << built.all() << allowed_->log();
  stack_->engine_docker("rmi ra-pulled " + allowed_->address() + "/team/app:1");
  expect_refused_unreached("DOCKER_BUILDKIT=0 docker build -q --build-arg BASE=" + refused_->address() +
                               "/team/app:1 ~/ra-pull",
                           "Moat refused this request: docker build: Dockerfile line 2 (FROM " +
                               refused_->address() + "/team/app:1): registry access to " + refused_->address() +
                               " is not allowed");
}

// The network layer: root at the engine socket passes no API check, yet the
// engine's only way out is moatd's egress filter.
TEST_F(RegistryAccess, RootAtTheEngineSocketIsStoppedByTheEgressFilter) {
  int before = refused_->requests();
  const auto refused = stack_->engine_docker("pull " + refused_->address() + "/team/app:1");
  EXPECT_NE(refused.exit_code, 0) << refused.all();
  EXPECT_NE(refused.err.find("Forbidden"), std::string::npos) << refused.all();
  EXPECT_EQ(refused_->requests(), before) << refused_->log();
  const auto records = stack_->moatctl("audit query --outcome deny --root " + stack_->root());
  EXPECT_NE(records.out.find("egress.not-allowed"), std::string::npos) << records.all();
  EXPECT_NE(records.out.find("the engine's connection to " + refused_->address() + " is not allowed"),
            std::string::npos)
      << records.all();

  // The allowed registry is reached through the filter, and that is recorded too.
  before = allowed_->requests();
  const auto allowed = stack_->engine_docker("pull " + allowed_->address() + "/team/app:1");
  EXPECT_EQ(allowed.exit_code, 0) << allowed.all();
  EXPECT_GT(allowed_->requests(), before);
  const auto allowed_records = stack_->moatctl("audit query --outcome allow --root " + stack_->root());
  EXPECT_NE(allowed_records.out.find("egress CONNECT " + allowed_->address()), std::string::npos)
      << allowed_records.all();
  stack_->engine_docker("rmi " + allowed_->address() + "/team/app:1");
}

// Plain http:// goes through the egress filter too (forwarded, not tunnelled).
TEST_F(RegistryAccess, AddAndImportOfAUrlOnAnAllowedHostFetchIt) {
  const auto written = stack_->as_developer("rm -rf ~/ra-add-ok && mkdir -p ~/ra-add-ok && printf 'FROM " +
                                            allowed_->address() + "/team/app:1\\nADD http://" + allowed_->host() +
                                            "/payload.txt /payload.txt\\n' > ~/ra-add-ok/Dockerfile");
  ASSERT_EQ(written.exit_code, 0) << written.all();
  int before = allowed_->file_requests();
  const auto built = stack_->as_developer("DOCKER_BUILDKIT=0 docker build -q -t ra-added ~/ra-add-ok");
  ASSERT_EQ(built.exit_code, 0) << built.all();
  EXPECT_GT(allowed_->file_requests(), before);
  EXPECT_EQ(stack_->developer_docker("run --rm ra-added cat /payload.txt").out, "from-the-file-server\n");
  stack_->engine_docker("rmi ra-added " + allowed_->address() + "/team/app:1");

  before = allowed_->file_requests();
  const auto imported = stack_->developer_docker("import http://" + allowed_->host() + "/rootfs.tar ra-imported");
  EXPECT_EQ(imported.exit_code, 0) << imported.all();
  EXPECT_GT(allowed_->file_requests(), before);
  const auto records = stack_->moatctl("audit query --outcome allow --root " + stack_->root());
  EXPECT_NE(records.out.find("egress HTTP " + allowed_->host() + ":80"), std::string::npos) << records.all();
  stack_->engine_docker("rmi ra-imported");
}

// https:// is tunnelled (CONNECT) and TLS stays end to end: the engine
// checks the registry's certificate against the host's trust store.
TEST_F(RegistryAccess, AddAndImportOfAnHttpsUrlOnTheAllowedRegistryFetchIt) {
  const auto written = stack_->as_developer("rm -rf ~/ra-add-tls && mkdir -p ~/ra-add-tls && printf 'FROM " +
                                            allowed_->address() + "/team/app:1\\nADD https://" +
                                            allowed_->address() + "/v2/team/app/tags/list /tags.json\\n' > "
                                            "~/ra-add-tls/Dockerfile");
  ASSERT_EQ(written.exit_code, 0) << written.all();
  int before = allowed_->requests();
  const auto built = stack_->as_developer("DOCKER_BUILDKIT=0 docker build -q -t ra-added-tls ~/ra-add-tls");
  ASSERT_EQ(built.exit_code, 0) << built.all() << allowed_->log();
  EXPECT_GT(allowed_->requests(), before);
  EXPECT_EQ(stack_->developer_docker("run --rm ra-added-tls cat /tags.json").out,
            R"({"name":"team/app","tags":["1"]})" "\n");
  stack_->engine_docker("rmi ra-added-tls " + allowed_->address() + "/team/app:1");

  // The image's only layer is a gzipped tar: import it straight from the registry.
  const auto manifest = nlohmann::json::parse(
      allowed_->get("/v2/team/app/manifests/1", "application/vnd.docker.distribution.manifest.v2+json"));
  ASSERT_EQ(manifest.at("layers").size(), 1U) << manifest.dump();
  const std::string layer = manifest.at("layers").at(0).at("digest").get<std::string>();
  before = allowed_->requests();
  const auto imported = stack_->developer_docker("import https://" + allowed_->address() + "/v2/team/app/blobs/" +
                                                 layer + " ra-imported-tls");
  ASSERT_EQ(imported.exit_code, 0) << imported.all() << allowed_->log();
  EXPECT_GT(allowed_->requests(), before);
  EXPECT_EQ(stack_->developer_docker("run --rm ra-imported-tls echo imported").out, "imported\n");
  const auto records = stack_->moatctl("audit query --outcome allow --root " + stack_->root());
  EXPECT_NE(records.out.find("allow image.import uid="), std::string::npos) << records.all();
  EXPECT_NE(records.out.find("egress CONNECT " + allowed_->address()), std::string::npos) << records.all();
  stack_->engine_docker("rmi ra-imported-tls");
}

TEST_F(RegistryAccess, AddOfAUrlOnAnotherRegistryNeverReachesIt) {
  const auto written = stack_->as_developer("rm -rf ~/ra-add && mkdir -p ~/ra-add && printf 'FROM " +
                                            allowed_->address() + "/team/app:1\\nADD https://" + refused_->address() +
                                            "/v2/ /fetched\\n' > ~/ra-add/Dockerfile");
  ASSERT_EQ(written.exit_code, 0) << written.all();
  expect_refused_unreached("DOCKER_BUILDKIT=0 docker build -q ~/ra-add",
                           "Moat refused this request: docker build: Dockerfile line 2 (ADD https://" +
                               refused_->address() + "/v2/): registry access to " + refused_->address() +
                               " is not allowed");
}

TEST_F(RegistryAccess, ImportFromAUrlOnAnotherRegistryNeverReachesIt) {
  expect_refused_unreached("docker import https://" + refused_->address() + "/v2/ ra-imported",
                           refused_message());
}

}  // namespace
}  // namespace moat::testing
