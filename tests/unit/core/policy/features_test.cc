#include "core/policy/features.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::json;
using test_support::kNoRemedy;
using test_support::PolicyHarness;
using test_support::request;

struct Route {
  const char* method;
  const char* path;
};

constexpr const char* kPluginsRefused =
    "Moat refused this request: docker plugin commands are not allowed: a plugin runs with the "
    "engine's privileges (setting moat.allowPlugins). An admin can allow it with \"moat\": "
    "{\"allowPlugins\": {\"value\": true}} in admin-settings.json.";
constexpr const char* kSwarmRefused =
    "Moat refused this request: swarm mode (docker swarm, node, service, secret and config "
    "commands) is not allowed: services start containers that Moat's container rules do not "
    "judge (setting moat.allowSwarm). An admin can allow it with \"moat\": {\"allowSwarm\": "
    "{\"value\": true}} in admin-settings.json.";

class PluginRoute : public ::testing::TestWithParam<Route> {};

TEST_P(PluginRoute, IsRefusedUnlessAllowed) {
  PolicyHarness h;
  const auto r = request(GetParam().method, GetParam().path);
  EXPECT_EQ(h.decide(r).message(), kPluginsRefused);
  h.set("moat.allowPlugins", true);
  const auto d = h.decide(r);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "endpoint.plugins");
}

INSTANTIATE_TEST_SUITE_P(
    Plugins, PluginRoute,
    ::testing::Values(Route{"GET", "plugins"}, Route{"GET", "plugins/privileges"},
                      Route{"POST", "plugins/pull"}, Route{"POST", "plugins/create"},
                      Route{"GET", "plugins/vieux/sshfs:latest/json"},
                      Route{"DELETE", "plugins/vieux/sshfs:latest"},
                      Route{"POST", "plugins/sshfs/enable"}, Route{"POST", "plugins/sshfs/disable"},
                      Route{"POST", "plugins/sshfs/upgrade"}, Route{"POST", "plugins/sshfs/push"},
                      Route{"POST", "plugins/sshfs/set"}));

// `docker inspect NAME` looks for a plugin NAME after the other kinds: its
// refusal is answered as not found so the CLI goes on; nothing else is.
TEST(Plugins, OnlyTheLookupOfOnePluginIsAnsweredAsNotFound) {
  PolicyHarness h;
  const auto lookup = h.decide(request("GET", "plugins/vieux/sshfs:latest/json"));
  EXPECT_EQ(lookup.message(), kPluginsRefused);
  EXPECT_TRUE(lookup.answered_as_not_found);
  EXPECT_FALSE(h.decide(request("GET", "plugins")).answered_as_not_found);
  EXPECT_FALSE(h.decide(request("DELETE", "plugins/vieux/sshfs:latest")).answered_as_not_found);
  EXPECT_FALSE(h.decide(request("POST", "plugins/sshfs/enable")).answered_as_not_found);
  h.set("moat.allowPlugins", true);
  EXPECT_FALSE(h.decide(request("GET", "plugins/vieux/sshfs:latest/json")).answered_as_not_found);
}

class SwarmRoute : public ::testing::TestWithParam<Route> {};

TEST_P(SwarmRoute, IsRefusedUnlessAllowed) {
  PolicyHarness h;
  const auto r = request(GetParam().method, GetParam().path);
  EXPECT_EQ(h.decide(r).message(), kSwarmRefused);
  h.set("moat.allowSwarm", true);
  const auto d = h.decide(r);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "endpoint.swarm");
}

INSTANTIATE_TEST_SUITE_P(
    Swarm, SwarmRoute,
    ::testing::Values(
        Route{"GET", "swarm"}, Route{"POST", "swarm/init"}, Route{"POST", "swarm/join"},
        Route{"POST", "swarm/leave"}, Route{"POST", "swarm/update"},
        Route{"GET", "swarm/unlockkey"}, Route{"POST", "swarm/unlock"}, Route{"GET", "nodes"},
        Route{"GET", "nodes/n1"}, Route{"DELETE", "nodes/n1"}, Route{"POST", "nodes/n1/update"},
        Route{"GET", "services"}, Route{"POST", "services/create"}, Route{"GET", "services/s1"},
        Route{"DELETE", "services/s1"}, Route{"POST", "services/s1/update"},
        Route{"GET", "services/s1/logs"}, Route{"GET", "tasks"}, Route{"GET", "tasks/t1"},
        Route{"GET", "tasks/t1/logs"}, Route{"GET", "secrets"}, Route{"POST", "secrets/create"},
        Route{"GET", "secrets/x"}, Route{"DELETE", "secrets/x"}, Route{"POST", "secrets/x/update"},
        Route{"GET", "configs"}, Route{"POST", "configs/create"}, Route{"GET", "configs/x"},
        Route{"DELETE", "configs/x"}, Route{"POST", "configs/x/update"}));

TEST(BuildKitGrpc, IsAlwaysRefused) {
  PolicyHarness h;
  h.set("moat.allowPlugins", true);
  h.set("moat.allowSwarm", true);
  EXPECT_EQ(h.decide(request("POST", "grpc")).message(),
            std::string("Moat refused this request: BuildKit's gRPC API (POST /grpc, used by "
                        "docker buildx) is not allowed: Moat cannot read the build requests it "
                        "carries; DOCKER_BUILDKIT=0 docker build uses the build API Moat checks "
                        "(rule endpoint.buildkit-grpc).") +
                kNoRemedy);
}

TEST(Features, AMalformedSettingKeepsTheFeatureOff) {
  PolicyHarness h;
  h.set("moat.allowSwarm", "yes");
  EXPECT_EQ(h.decide(request("GET", "services")).rule, "endpoint.swarm");
  EXPECT_FALSE(h.decide(request("GET", "services")).allowed);
}

}  // namespace
}  // namespace moat::core::policy
