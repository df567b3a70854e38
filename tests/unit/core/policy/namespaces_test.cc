#include "core/policy/namespaces.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::create_with;
using test_support::json;
using test_support::kNoRemedy;
using test_support::PolicyHarness;
using test_support::request;

struct ModeCase {
  const char* field;
  const char* value;
  const char* rule;  // "" when allowed
  const char* reason;
};

class NamespaceModes : public ::testing::TestWithParam<ModeCase> {};

TEST_P(NamespaceModes, AreJudged) {
  PolicyHarness h;
  const auto& c = GetParam();
  const auto d = h.decide(create_with({{c.field, c.value}}));
  if (std::string(c.rule).empty()) {
    EXPECT_TRUE(d.allowed) << d.message();
  } else {
    EXPECT_EQ(d.message(), std::string("Moat refused this request: ") + c.reason + " (rule " +
                               c.rule + ")." + kNoRemedy);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Modes, NamespaceModes,
    ::testing::Values(
        ModeCase{"PidMode", "host", "container.namespace-host",
                 "--pid=host is not allowed: the container would share the host's process "
                 "namespace"},
        ModeCase{"IpcMode", "host", "container.namespace-host",
                 "--ipc=host is not allowed: the container would share the host's IPC namespace"},
        ModeCase{"NetworkMode", "host", "container.namespace-host",
                 "--network=host is not allowed: the container would share the host's network "
                 "namespace"},
        ModeCase{"UTSMode", "host", "container.namespace-host",
                 "--uts=host is not allowed: the container would share the host's UTS namespace"},
        ModeCase{"UsernsMode", "host", "container.namespace-host",
                 "--userns=host is not allowed: the container would share the host's user "
                 "namespace"},
        ModeCase{"CgroupnsMode", "host", "container.namespace-host",
                 "--cgroupns=host is not allowed: the container would share the host's cgroup "
                 "namespace"},
        ModeCase{"PidMode", "container:web", "container.namespace-join",
                 "--pid=container:web is not allowed: the container would join another "
                 "container's process namespace, and each container keeps its own user "
                 "namespace"},
        ModeCase{"IpcMode", "container:web", "container.namespace-join",
                 "--ipc=container:web is not allowed: the container would join another "
                 "container's IPC namespace, and each container keeps its own user namespace"},
        ModeCase{"NetworkMode", "container:x", "container.namespace-join",
                 "--network=container:x is not allowed: the container would join another "
                 "container's network namespace, and each container keeps its own user "
                 "namespace"},
        ModeCase{"Cgroup", "container:x", "container.namespace-join",
                 "--cgroup=container:x is not allowed: the container would join another "
                 "container's cgroup namespace, and each container keeps its own user "
                 "namespace"},
        ModeCase{"UsernsMode", "private", "container.namespace-mode",
                 "--userns=private is not allowed: it is not a user namespace mode Moat knows"},
        ModeCase{"PidMode", "private", "container.namespace-mode",
                 "--pid=private is not allowed: it is not a process namespace mode Moat knows"},
        ModeCase{"UTSMode", "shared", "container.namespace-mode",
                 "--uts=shared is not allowed: it is not a UTS namespace mode Moat knows"},
        ModeCase{"IpcMode", "shareable", "", ""}, ModeCase{"IpcMode", "private", "", ""},
        ModeCase{"IpcMode", "none", "", ""}, ModeCase{"NetworkMode", "bridge", "", ""},
        ModeCase{"NetworkMode", "none", "", ""}, ModeCase{"NetworkMode", "default", "", ""},
        ModeCase{"NetworkMode", "project_default", "", ""},
        ModeCase{"CgroupnsMode", "private", "", ""}, ModeCase{"PidMode", "", "", ""}));

TEST(NamespaceModes, AHostEndpointInNetworkingConfigIsRefused) {
  PolicyHarness h;
  const auto body = json{{"Image", "alpine"},
                         {"HostConfig", {{"NetworkMode", "bridge"}}},
                         {"NetworkingConfig", {{"EndpointsConfig", {{"host", json::object()}}}}}};
  const auto d = h.decide(request("POST", "containers/create", body));
  EXPECT_EQ(d.rule, "container.namespace-host");
  EXPECT_EQ(d.reason,
            "--network=host is not allowed: the container would share the host's network "
            "namespace");
}

TEST(NamespaceModes, AUserDefinedEndpointIsFine) {
  PolicyHarness h;
  const auto body = json{{"Image", "alpine"},
                         {"HostConfig", {{"NetworkMode", "app"}}},
                         {"NetworkingConfig", {{"EndpointsConfig", {{"app", json::object()}}}}}};
  EXPECT_TRUE(h.decide(request("POST", "containers/create", body)).allowed);
}

TEST(NamespaceModes, ANonStringModeIsMalformed) {
  PolicyHarness h;
  EXPECT_EQ(h.decide(create_with({{"PidMode", 1}})).reason,
            "the request body member /HostConfig/PidMode is not a string");
}

}  // namespace
}  // namespace moat::core::policy
