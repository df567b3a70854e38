#include "moatd/http/docker_api_v141.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "core/json/strict_json.h"
#include "moatd/http/request_parser.h"
#include "parse_helpers.h"

namespace moat::moatd::http {
namespace {

namespace api = docker_api_v141;
using test_support::feed_in_pieces;
using test_support::read_fixture;

std::string body_of(const std::string& fixture) {
  const auto outcome = feed_in_pieces(read_fixture(fixture), 0);
  EXPECT_TRUE(outcome.request.has_value());
  return outcome.request ? outcome.request->body : std::string();
}

struct BodyCase {
  const char* fixture;
  const go_json::Type& (*schema)();
};

class CliBody : public ::testing::TestWithParam<BodyCase> {};

// What the Docker 28 CLI sends for API 1.41 passes unchanged: every key is
// a known field under its exact name.
TEST_P(CliBody, CanonicalisesToTheSameValue) {
  const std::string body = body_of(GetParam().fixture);
  ASSERT_FALSE(body.empty());
  const auto canonical = go_json::canonical_body(body, GetParam().schema());
  ASSERT_TRUE(canonical) << canonical.error().pointer << ": " << canonical.error().message;
  const auto original = core::json::parse_strict(body);
  ASSERT_TRUE(original);
  EXPECT_EQ(nlohmann::json::parse(*canonical), original->value);
}

INSTANTIATE_TEST_SUITE_P(
    Docker28, CliBody,
    ::testing::Values(BodyCase{"cli28_container_create.raw", &api::container_create},
                      BodyCase{"cli28_container_create_full.raw", &api::container_create},
                      BodyCase{"cli28_exec_create.raw", &api::exec_create},
                      BodyCase{"cli28_exec_start_upgrade.raw", &api::exec_start},
                      BodyCase{"cli28_volume_create.raw", &api::volume_create},
                      BodyCase{"cli28_network_create.raw", &api::network_create},
                      BodyCase{"cli28_container_update.raw", &api::container_update}));

void collect_newer(const go_json::Type& type, const std::string& path, std::set<std::string>& out) {
  for (const go_json::Field& field : type.fields) {
    const std::string here = path + "/" + field.name;
    if (!field.since.empty()) out.insert(here + " " + field.since);
    collect_newer(*field.type, here, out);
  }
  if (type.element) collect_newer(*type.element, path + "/*", out);
}

TEST(DockerApiV141, OnlyTheDocumentedNewerFieldsAreAccepted) {
  std::set<std::string> newer;
  collect_newer(api::container_create(), "", newer);
  collect_newer(api::network_create(), "network", newer);
  collect_newer(api::exec_create(), "exec", newer);
  collect_newer(api::volume_create(), "volume", newer);
  collect_newer(api::container_update(), "update", newer);
  EXPECT_EQ(newer, (std::set<std::string>{
                       "/HostConfig/Mounts/*/ImageOptions 1.48",
                       "/HostConfig/Mounts/*/ImageOptions/Subpath 1.48",
                       "/HostConfig/Mounts/*/VolumeOptions/Subpath 1.45",
                       "/NetworkingConfig/EndpointsConfig/*/DNSNames 1.44",
                       "/NetworkingConfig/EndpointsConfig/*/GwPriority 1.48",
                       "network/EnableIPv4 1.47",
                   }));
}

TEST(DockerApiV141, HostConfigHasEveryV141Field) {
  const go_json::Type& create = api::container_create();
  const go_json::Type* host_config = nullptr;
  for (const auto& f : create.fields) {
    if (f.name == "HostConfig") host_config = f.type.get();
  }
  ASSERT_NE(host_config, nullptr);
  std::set<std::string> names;
  for (const auto& f : host_config->fields) names.insert(f.name);
  // 35 own fields + 31 Resources fields + Mounts, MaskedPaths, ReadonlyPaths, Init.
  EXPECT_EQ(names.size(), 70U);
  for (const char* name :
       {"Binds", "Mounts", "Privileged", "CapAdd", "CapDrop", "Devices", "DeviceCgroupRules",
        "DeviceRequests", "NetworkMode", "PidMode", "IpcMode", "UTSMode", "UsernsMode",
        "CgroupnsMode", "SecurityOpt", "MaskedPaths", "ReadonlyPaths", "Sysctls", "Runtime",
        "CgroupParent", "OomScoreAdj", "Ulimits", "PortBindings", "VolumeDriver", "VolumesFrom",
        "Tmpfs", "StorageOpt", "Init", "KernelMemory", "PidsLimit", "LogConfig",
        "RestartPolicy"}) {
    EXPECT_TRUE(names.contains(name)) << name;
  }
  EXPECT_FALSE(names.contains("Capabilities"));
  EXPECT_FALSE(names.contains("Annotations"));
}

TEST(DockerApiV141, ConfigFieldsAreAtTheTopLevel) {
  std::set<std::string> names;
  for (const auto& f : api::container_create().fields) names.insert(f.name);
  EXPECT_EQ(names.size(), 27U);  // 25 Config fields + HostConfig + NetworkingConfig
  EXPECT_TRUE(names.contains("Image"));
  EXPECT_TRUE(names.contains("Healthcheck"));
  EXPECT_FALSE(names.contains("Binds"));
  EXPECT_FALSE(names.contains("Cpuset"));
}

TEST(DockerApiV141, DeviceRequestsAndHealthcheckAreTyped) {
  const auto ok = go_json::canonical_body(
      R"({"Image":"x","Healthcheck":{"Test":["CMD","true"],"Interval":1000000000,"Retries":3},)"
      R"("HostConfig":{"DeviceRequests":[{"Driver":"nvidia","Count":-1,"Capabilities":[["gpu"]],)"
      R"("Options":{}}],"Ulimits":[{"Name":"nofile","Soft":1,"Hard":2}],)"
      R"("Mounts":[{"Type":"tmpfs","Target":"/t","TmpfsOptions":{"SizeBytes":1,"Mode":448}}],)"
      R"("RestartPolicy":{"Name":"on-failure","MaximumRetryCount":3}}})",
      api::container_create());
  ASSERT_TRUE(ok) << ok.error().message;
  const auto bad = go_json::canonical_body(
      R"({"HostConfig":{"DeviceRequests":[{"Capabilities":["gpu"]}]}})", api::container_create());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().pointer, "/HostConfig/DeviceRequests/0/Capabilities/0");
  EXPECT_EQ(bad.error().message,
            "/HostConfig/DeviceRequests/0/Capabilities/0 must be an array, got a string");
}

}  // namespace
}  // namespace moat::moatd::http
