#include "core/policy/containers.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::json;
using test_support::kNoRemedy;
using test_support::PolicyHarness;
using test_support::request;

TEST(ContainerCreate, AnOrdinaryCliBodyIsAllowed) {
  PolicyHarness h;
  const auto body = json::parse(R"({
    "Hostname": "", "User": "", "Tty": true, "OpenStdin": true, "Env": ["A=1"],
    "Cmd": ["sh"], "Image": "alpine", "Volumes": {"/data": {}}, "Labels": {},
    "HostConfig": {
      "Binds": ["/home/dev/project:/src", "cache:/cache"], "NetworkMode": "default",
      "PortBindings": {"8080/tcp": [{"HostIp": "", "HostPort": "8080"}]},
      "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0}, "AutoRemove": true,
      "CapAdd": null, "CapDrop": ["NET_RAW"], "CgroupnsMode": "private", "IpcMode": "private",
      "OomScoreAdj": 0, "PidMode": "", "Privileged": false, "SecurityOpt": ["no-new-privileges"],
      "Tmpfs": {"/run": "rw"}, "UTSMode": "", "UsernsMode": "", "ShmSize": 67108864,
      "Runtime": "", "CgroupParent": "", "Mounts": [{"Type": "tmpfs", "Target": "/scratch"}],
      "MaskedPaths": null, "ReadonlyPaths": null, "Init": true
    },
    "NetworkingConfig": {"EndpointsConfig": {"default": {}}}
  })");
  const auto d = h.decide(request("POST", "containers/create", body));
  EXPECT_TRUE(d.allowed) << d.message();
  EXPECT_EQ(d.rule, "container.create");
}

TEST(ContainerCreate, NoBodyIsNothingToRefuse) {
  PolicyHarness h;
  EXPECT_TRUE(h.decide(request("POST", "containers/create")).allowed);
}

TEST(ContainerCreate, HostConfigFieldsAtTheTopLevelAreRefused) {
  PolicyHarness h;
  const auto d = h.decide(
      request("POST", "containers/create", json{{"Image", "alpine"}, {"Binds", {"/:/host"}}}));
  EXPECT_EQ(d.message(),
            std::string("Moat refused this request: the HostConfig field Binds at the top level "
                        "of a create body is not allowed: send it under HostConfig (rule "
                        "container.host-config-at-root).") +
                kNoRemedy);
  EXPECT_EQ(h.decide(request("POST", "containers/create", json{{"Privileged", true}})).rule,
            "container.host-config-at-root");
}

TEST(ContainerCreate, ABodyThatIsNotAnObjectIsMalformed) {
  PolicyHarness h;
  EXPECT_EQ(h.decide(request("POST", "containers/create", json::array())).reason,
            "the request body member / is not an object");
  EXPECT_EQ(h.decide(request("POST", "containers/create", json{{"HostConfig", "x"}})).reason,
            "the request body member /HostConfig is not an object");
}

TEST(ContainerCreate, TheFirstRefusalInRuleOrderIsReported) {
  PolicyHarness h;
  h.eci_active = false;
  const auto d = h.decide(request(
      "POST", "containers/create",
      json{{"HostConfig", {{"Privileged", true}, {"PidMode", "host"}, {"Binds", {"/:/h"}}}}}));
  EXPECT_EQ(d.rule, "container.privileged");
}

TEST(ContainerUpdate, NoBodyIsFine) {
  PolicyHarness h;
  EXPECT_TRUE(h.decide(request("POST", "containers/c1/update")).allowed);
}

TEST(ExecCreate, APlainExecIsAllowed) {
  PolicyHarness h;
  const auto d = h.decide(request("POST", "containers/c1/exec",
                                  json{{"Cmd", {"ls"}}, {"AttachStdout", true}, {"Tty", false}}));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "exec.create");
}

}  // namespace
}  // namespace moat::core::policy
