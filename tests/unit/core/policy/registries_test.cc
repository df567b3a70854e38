#include "core/policy/registries.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::json;
using test_support::PolicyHarness;
using test_support::request;

const std::string kHex = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
const std::string kHexUpper = "DBCC1C35AC38DF41FD2F5E4130B32FFDB93EBAE8B3DBE638C23575912276FC9C";

// The list most cases run against.
const json kList = json::array({
    {{"address", "docker.io"}, {"nickname", "hub"}, {"pull", true}, {"push", false}},
    {{"address", "Registry.Example:5000"}, {"nickname", "corp"}, {"pull", true}, {"push", true}},
    {{"address", "pull-only.example"}, {"pull", true}},
    {{"address", "[::1]:5000"}, {"pull", true}, {"push", true}},
    {{"address", "no-pull.example"}, {"pull", false}, {"push", false}},
    {{"address", "ghcr.io"}, {"auxiliaryHosts", {"pkg-containers.githubusercontent.com"}}},
    {{"address", "odd-flag.example"}, {"pull", "yes"}},
});

std::string allowed(const std::string& rule) {
  return "Moat allowed this request (rule " + rule + ").";
}

std::string not_listed(const std::string& host, bool push = false) {
  return "Moat refused this request: registry access to " + host +
         " is not allowed (setting moat.registryAccess). An admin can allow it by adding "
         "{\"address\": \"" +
         host + "\", \"pull\": true" + (push ? ", \"push\": true" : "") +
         "} to moat.registryAccess in admin-settings.json.";
}

std::string pull_off(const std::string& host, const std::string& address) {
  return "Moat refused this request: registry access to " + host +
         " is not allowed (setting moat.registryAccess). An admin can allow it by setting "
         "\"pull\": true in the entry with \"address\": \"" +
         address + "\" in moat.registryAccess in admin-settings.json.";
}

std::string push_off(const std::string& host, const std::string& address) {
  return "Moat refused this request: pushing to " + host +
         " is not allowed (setting moat.registryAccess). An admin can allow it by setting "
         "\"push\": true in the entry with \"address\": \"" +
         address + "\" in moat.registryAccess in admin-settings.json.";
}

std::string invalid(const std::string& what) {
  return "Moat refused this request: " + what +
         " (rule image.reference-invalid). Nothing an admin can change allows this.";
}

std::string bad_url(const std::string& url) {
  return "Moat refused this request: docker import from \"" + url +
         "\" is not allowed: while moat.registryAccess is on, only an http:// or https:// URL "
         "with a plain host name can be checked (setting moat.registryAccess). Nothing an admin "
         "can change allows this.";
}

const std::string kPluginsRefused =
    "Moat refused this request: docker plugin commands are not allowed: a plugin runs with the "
    "engine's privileges (setting moat.allowPlugins). An admin can allow it with \"moat\": "
    "{\"allowPlugins\": {\"value\": true}} in admin-settings.json.";

const std::string kLoadBlocked =
    "Moat refused this request: docker import is blocked (setting blockDockerLoad). An admin can "
    "allow it with \"blockDockerLoad\": {\"value\": false} in admin-settings.json.";

using Query = std::vector<std::pair<std::string, std::string>>;

ApiRequest pull(const std::string& image, const std::string& tag = "") {
  Query q{{"fromImage", image}};
  if (!tag.empty()) q.emplace_back("tag", tag);
  return request("POST", "images/create", std::nullopt, std::move(q));
}

ApiRequest push(const std::string& name, const std::string& tag = "") {
  Query q;
  if (!tag.empty()) q.emplace_back("tag", tag);
  return request("POST", "images/" + name + "/push", std::nullopt, std::move(q));
}

ApiRequest import_from(const std::string& source) {
  return request("POST", "images/create", std::nullopt,
                 Query{{"fromSrc", source}, {"repo", "mine"}, {"tag", ""}});
}

ApiRequest plugin_pull(const std::string& remote) {
  return request("POST", "plugins/pull", std::nullopt,
                 Query{{"remote", remote}, {"name", "mine:latest"}});
}

struct Case {
  std::string name;
  json access;  // moat.registryAccess; null: not set by the admin
  ApiRequest request;
  std::string message;
  bool allow_plugins = false;
  bool block_load = false;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<Case> cases() {
  const json off = nullptr;
  const json empty = json::array();
  const json hub_index = json::array({{{"address", "INDEX.docker.io"}}});
  const json hub_registry1 = json::array({{{"address", "registry-1.docker.io"}, {"push", true}}});
  const json corp_only =
      json::array({{{"address", "registry.example:5000"}, {"nickname", "corp"}}});
  const json two_hub_entries =
      json::array({{{"address", "docker.io"}, {"push", false}},
                   {{"address", "index.docker.io"}, {"push", true}}});
  return {
      // Feature off: nothing is parsed or matched.
      {"OffWhenUnset", off, pull("quay.io/team/app"), allowed("image.pull")},
      {"OffWhenEmpty", empty, pull("quay.io/team/app"), allowed("image.pull")},
      {"OffLeavesBadReferencesToTheEngine", empty, pull("Bad Name"), allowed("image.pull")},
      {"OffAllowsPush", empty, push("quay.io/team/app", "1"), allowed("image.push")},
      {"OffAllowsImportUrls", empty, import_from("ftp://anything/x"), allowed("image.import")},

      // Docker Hub, its aliases and implicit library/.
      {"HubShortName", kList, pull("busybox"), allowed("image.pull")},
      {"HubWithTag", kList, pull("library/busybox", "1.36"), allowed("image.pull")},
      {"HubFullName", kList, pull("docker.io/library/busybox"), allowed("image.pull")},
      {"HubIndexAliasInReference", kList, pull("index.docker.io/busybox"), allowed("image.pull")},
      {"HubRegistry1AliasInReference", kList, pull("registry-1.docker.io/library/busybox"),
       allowed("image.pull")},
      {"HubUserRepository", kList, pull("team/app"), allowed("image.pull")},
      {"HubAliasInList", hub_index, pull("busybox"), allowed("image.pull")},
      {"HubRegistry1AliasInList", hub_registry1, pull("docker.io/library/alpine"),
       allowed("image.pull")},
      {"HubAliasInListPush", hub_registry1, push("docker.io/team/app", "1"),
       allowed("image.push")},
      {"HubAliasInListPushDefaultsOff", hub_index, push("team/app"),
       push_off("docker.io", "INDEX.docker.io")},
      {"HubWithExplicitPortIsAnotherRegistry", kList, pull("docker.io:443/library/busybox"),
       not_listed("docker.io:443")},
      {"HubNotListed", corp_only, pull("busybox"), not_listed("docker.io")},
      {"NicknameIsNotMatched", corp_only, pull("corp/app"), not_listed("docker.io")},

      // Host and port.
      {"HostPortListed", kList, pull("registry.example:5000/team/app"), allowed("image.pull")},
      {"HostCaseIgnored", kList, pull("REGISTRY.example:5000/team/app"), allowed("image.pull")},
      {"HostWithoutPortIsNotTheListedPort", kList, pull("registry.example/team/app"),
       not_listed("registry.example")},
      {"OtherPort", kList, pull("registry.example:5001/team/app"),
       not_listed("registry.example:5001")},
      {"EntryWithoutPortCoversNoExplicitPort", kList, pull("pull-only.example:443/app"),
       not_listed("pull-only.example:443")},
      {"EntryWithoutPort", kList, pull("pull-only.example/app"), allowed("image.pull")},
      {"Ipv6Listed", kList, pull("[::1]:5000/team/app"), allowed("image.pull")},
      {"Ipv6OtherSpelling", kList, pull("[0:0::1]:5000/team/app"), allowed("image.pull")},
      {"Ipv6WithoutPort", kList, pull("[::1]/team/app"), not_listed("[::1]")},
      {"LocalhostNotListed", kList, pull("localhost:5000/app"), not_listed("localhost:5000")},
      {"OtherRegistry", kList, pull("quay.io/team/app:1"), not_listed("quay.io")},
      {"NoParentDomain", kList, pull("eu.ghcr.io/team/app"), not_listed("eu.ghcr.io")},
      {"AuxiliaryHostIsNotARegistry", kList, pull("pkg-containers.githubusercontent.com/x"),
       not_listed("pkg-containers.githubusercontent.com")},

      // Flags.
      {"PullDefaultsOn", kList, pull("ghcr.io/team/app"), allowed("image.pull")},
      {"PullOff", kList, pull("no-pull.example/app"),
       pull_off("no-pull.example", "no-pull.example")},
      {"PullNotABoolean", kList, pull("odd-flag.example/app"),
       pull_off("odd-flag.example", "odd-flag.example")},
      {"PushAllowed", kList, push("registry.example:5000/team/app", "1"), allowed("image.push")},
      {"PushAllowedIpv6", kList, push("[::1]:5000/team/app"), allowed("image.push")},
      {"PushOffForHub", kList, push("docker.io/library/alpine", "latest"),
       push_off("docker.io", "docker.io")},
      {"PushDefaultsOff", kList, push("pull-only.example/app", "1"),
       push_off("pull-only.example", "pull-only.example")},
      {"PushToUnlistedRegistry", kList, push("quay.io/team/app", "1"), not_listed("quay.io", true)},
      {"PushAnyMatchingEntryAllows", two_hub_entries, push("team/app", "1"),
       allowed("image.push")},

      // References the engine would refuse.
      {"UpperCaseRepository", kList, pull("Busybox"),
       invalid("image reference \"Busybox\" is invalid: invalid reference format: repository name "
               "(library/Busybox) must be lowercase")},
      {"BadFormat", kList, pull("busybox::1"),
       invalid("image reference \"busybox::1\" is invalid: invalid reference format")},
      {"ImageIdAsName", kList, pull(kHex),
       invalid("image reference \"" + kHex + "\" is invalid: invalid repository name (" + kHex +
               "), cannot specify 64-byte hexadecimal strings")},
      {"BadDigestLength", kList, pull("busybox@sha256:" + kHex.substr(0, 40)),
       invalid("image reference \"busybox@sha256:" + kHex.substr(0, 40) +
               "\" is invalid: invalid checksum digest length")},
      {"BadDigestText", kList, pull("busybox@sha256:abc"),
       invalid("image reference \"busybox@sha256:abc\" is invalid: invalid reference format")},
      {"UnnamedRegistry", kList, pull("foo_bar.com/app"),
       "Moat refused this request: registry access to an unnamed registry is not allowed: the "
       "engine names no registry host in \"foo_bar.com/app\" (setting moat.registryAccess). "
       "Nothing an admin can change allows this."},
      {"PushBadName", kList, push("Team/App"),
       invalid("image reference \"Team/App\" is invalid: invalid reference format: repository "
               "name (App) must be lowercase")},

      // The separate tag parameter.
      {"TagIsADigest", kList, pull("alpine", "sha256:" + kHex), allowed("image.pull")},
      {"TagDigestReplacesNameDigest", kList,
       pull("quay.io/team/app@sha256:" + kHex, "sha256:" + kHex), not_listed("quay.io")},
      {"TagDigestUpperCase", kList, pull("alpine", "sha256:" + kHexUpper),
       invalid("image reference \"alpine\" with tag \"sha256:" + kHexUpper +
               "\" is invalid: invalid tag format")},
      {"TagWithSpace", kList, pull("alpine", "bad tag"),
       invalid("image reference \"alpine\" with tag \"bad tag\" is invalid: invalid tag format")},
      {"TagCarryingADigest", kList, pull("alpine", "v1@sha256:" + kHex),
       invalid("image reference \"alpine\" with tag \"v1@sha256:" + kHex +
               "\" is invalid: invalid tag format")},
      {"PushTagIsNeverADigest", kList, push("registry.example:5000/app", "sha256:" + kHex),
       invalid("image reference \"registry.example:5000/app\" with tag \"sha256:" + kHex +
               "\" is invalid: invalid tag format")},
      {"PullAllTrailingColon", kList, pull("alpine:"), allowed("image.pull")},
      {"EmptyTagIsNoTag", kList, pull("alpine", ""), allowed("image.pull")},

      // docker import from a URL, and from the request body.
      {"ImportUrlAllowed", kList, import_from("https://ghcr.io/rootfs.tar"),
       allowed("image.import")},
      {"ImportUrlHostCaseIgnored", kList, import_from("HTTP://GHCR.IO/rootfs.tar"),
       allowed("image.import")},
      {"ImportUrlWithUserAndPort", kList,
       import_from("https://user:secret@registry.example:5000/rootfs.tar"),
       allowed("image.import")},
      {"ImportUrlIpv6", kList, import_from("http://[::1]:5000/rootfs.tar?x=1"),
       allowed("image.import")},
      {"ImportUrlNotListed", kList, import_from("http://files.example/rootfs.tar"),
       not_listed("files.example")},
      {"ImportUrlUserInfoDoesNotCount", kList,
       import_from("https://ghcr.io@files.example/rootfs.tar"), not_listed("files.example")},
      {"ImportUrlPullOff", kList, import_from("https://no-pull.example/rootfs.tar"),
       pull_off("no-pull.example", "no-pull.example")},
      {"ImportUrlWithoutScheme", kList, import_from("ghcr.io/rootfs.tar"),
       bad_url("ghcr.io/rootfs.tar")},
      {"ImportUrlOtherScheme", kList, import_from("ftp://ghcr.io/rootfs.tar"),
       bad_url("ftp://ghcr.io/rootfs.tar")},
      {"ImportUrlEmptyPort", kList, import_from("https://ghcr.io:/rootfs.tar"),
       bad_url("https://ghcr.io:/rootfs.tar")},
      {"ImportUrlEncodedHost", kList, import_from("https://ghcr%2eio/rootfs.tar"),
       bad_url("https://ghcr%2eio/rootfs.tar")},
      {"ImportFromBody", kList, import_from("-"), allowed("image.import")},
      {"ImportBlockedFirst", kList, import_from("http://files.example/rootfs.tar"), kLoadBlocked,
       false, true},
      {"PullBesideImportIsJudged", kList,
       request("POST", "images/create", std::nullopt,
               Query{{"fromImage", "quay.io/team/app"}, {"fromSrc", "-"}}),
       not_listed("quay.io")},
      {"FirstFromImageCounts", kList,
       request("POST", "images/create", std::nullopt,
               Query{{"fromImage", "quay.io/team/app"}, {"fromImage", "busybox"}}),
       not_listed("quay.io")},

      // Plugins.
      {"PluginPullNeedsAllowPlugins", kList, plugin_pull("vieux/sshfs"), kPluginsRefused},
      {"PluginPullAllowed", kList, plugin_pull("vieux/sshfs"), allowed("endpoint.plugins"), true},
      {"PluginPullNotListed", kList, plugin_pull("quay.io/team/plugin:1"), not_listed("quay.io"),
       true},
      {"PluginPullWithoutRemote", kList, request("POST", "plugins/pull"),
       invalid("image reference \"\" is invalid: invalid reference format"), true},
      {"PluginPullFeatureOff", empty, plugin_pull("quay.io/team/plugin"),
       allowed("endpoint.plugins"), true},
      {"PluginPrivilegesNotListed", kList,
       request("GET", "plugins/privileges", std::nullopt, Query{{"remote", "quay.io/p"}}),
       not_listed("quay.io"), true},
      {"PluginUpgradeNotListed", kList,
       request("POST", "plugins/sshfs/upgrade", std::nullopt, Query{{"remote", "quay.io/p"}}),
       not_listed("quay.io"), true},
      {"PluginPushOffForHub", kList, request("POST", "plugins/vieux/sshfs:latest/push"),
       push_off("docker.io", "docker.io"), true},
      {"PluginPushAllowed", kList, request("POST", "plugins/registry.example:5000/p/push"),
       allowed("endpoint.plugins"), true},
      {"PluginEnableStaysLocal", kList, request("POST", "plugins/sshfs/enable"),
       allowed("endpoint.plugins"), true},

      // A value that is not a list.
      {"MalformedSettingRefuses", json("docker.io"), pull("busybox"),
       "Moat refused this request: moat.registryAccess is not a list of registries, so no "
       "registry is allowed (setting moat.registryAccess). An admin has to correct "
       "moat.registryAccess in admin-settings.json."},
  };
}

class RegistryAccess : public ::testing::TestWithParam<Case> {};

TEST_P(RegistryAccess, DecidesWithTheExactMessage) {
  const Case& c = GetParam();
  PolicyHarness h;
  if (!c.access.is_null()) h.set("moat.registryAccess", c.access);
  if (c.allow_plugins) h.set("moat.allowPlugins", true);
  if (c.block_load) h.set("blockDockerLoad", true);
  EXPECT_EQ(h.decide(c.request).message(), c.message);
}

INSTANTIATE_TEST_SUITE_P(Table, RegistryAccess, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

TEST(RegistryAccessRules, RefusalsCarryTheirRuleIds) {
  PolicyHarness h;
  h.set("moat.registryAccess", kList);
  EXPECT_EQ(h.decide(pull("quay.io/x")).rule, "registry.not-allowed");
  EXPECT_EQ(h.decide(push("alpine", "1")).rule, "registry.push-not-allowed");
  EXPECT_EQ(h.decide(pull("Busybox")).rule, "image.reference-invalid");
  EXPECT_EQ(h.decide(import_from("x")).rule, "image.import-url-invalid");
}

TEST(RegistryAccessRules, HostJudgeNamesItsOwnRules) {
  PolicyHarness h;
  EXPECT_EQ(h.with_context([](const PolicyContext& c) {
              return judge_registry_host("quay.io", RegistryAction::kPull, c).rule;
            }),
            "registry.unrestricted");
  h.set("moat.registryAccess", kList);
  EXPECT_EQ(h.with_context([](const PolicyContext& c) {
              return judge_registry_host("Index.Docker.IO", RegistryAction::kPull, c).rule;
            }),
            "registry.allowed");
  EXPECT_EQ(h.with_context([](const PolicyContext& c) {
              return judge_registry_host("", RegistryAction::kPull, c).message();
            }),
            "Moat refused this request: registry access to an unnamed registry is not allowed "
            "(setting moat.registryAccess). Nothing an admin can change allows this.");
  EXPECT_TRUE(h.with_context([](const PolicyContext& c) {
    return registry_access_restricted(c);
  }));
}

// The egress filter's judge: the engine's connections, by host and port.
struct EgressCase {
  std::string host;
  std::uint16_t port;
  bool tunnel;  // CONNECT (default 443) or plain http (default 80)
  std::string rule;
};

class EgressJudge : public ::testing::TestWithParam<EgressCase> {};

TEST_P(EgressJudge, DecidesByHostAndPort) {
  const EgressCase& c = GetParam();
  PolicyHarness h;
  h.set("moat.registryAccess", kList);
  EXPECT_EQ(h.with_context([&c](const PolicyContext& context) {
              return judge_egress(c.host, c.port, c.tunnel ? 443 : 80, context).rule;
            }),
            c.rule)
      << c.host << ":" << c.port << (c.tunnel ? " CONNECT" : " http");
}

INSTANTIATE_TEST_SUITE_P(
    Table, EgressJudge,
    ::testing::Values(
        // Docker Hub's names, on the scheme's default port only.
        EgressCase{"registry-1.docker.io", 443, true, "egress.allowed"},
        EgressCase{"Index.Docker.IO", 443, true, "egress.allowed"},
        EgressCase{"registry-1.docker.io", 8443, true, "egress.not-allowed"},
        EgressCase{"registry-1.docker.io", 80, false, "egress.allowed"},
        EgressCase{"registry-1.docker.io", 443, false, "egress.not-allowed"},
        // An address with a port: that port only, whatever the scheme.
        EgressCase{"registry.example", 5000, true, "egress.allowed"},
        EgressCase{"REGISTRY.example", 5000, false, "egress.allowed"},
        EgressCase{"registry.example", 443, true, "egress.not-allowed"},
        EgressCase{"::1", 5000, true, "egress.allowed"},
        EgressCase{"0:0::1", 5000, true, "egress.allowed"},
        // An auxiliary host of an entry that allows pulls.
        EgressCase{"pkg-containers.githubusercontent.com", 443, true, "egress.allowed"},
        EgressCase{"ghcr.io", 443, true, "egress.allowed"},
        // An entry that allows neither pull nor push opens nothing.
        EgressCase{"no-pull.example", 443, true, "egress.not-allowed"},
        // Anything else, parents and children of listed names included.
        EgressCase{"example", 443, true, "egress.not-allowed"},
        EgressCase{"evil.registry.example", 5000, true, "egress.not-allowed"},
        EgressCase{"quay.io", 443, true, "egress.not-allowed"},
        EgressCase{"", 443, true, "egress.not-allowed"}),
    [](const ::testing::TestParamInfo<EgressCase>& p) { return "case" + std::to_string(p.index); });

TEST(EgressJudgeRules, ARefusalSaysWhatToChange) {
  PolicyHarness h;
  h.set("moat.registryAccess", kList);
  EXPECT_EQ(h.with_context([](const PolicyContext& c) { return judge_egress("quay.io", 443, 443, c).message(); }),
            "Moat refused this request: the engine's connection to quay.io:443 is not allowed: it is neither a "
            "registry nor an auxiliary host in moat.registryAccess (setting moat.registryAccess). An admin can "
            "allow it by adding the host to the \"auxiliaryHosts\" of its registry's entry in moat.registryAccess "
            "in admin-settings.json.");
}

TEST(EgressJudgeRules, OffWhileTheListIsOffAndClosedWhenItIsBroken) {
  PolicyHarness h;
  EXPECT_EQ(h.with_context([](const PolicyContext& c) { return judge_egress("quay.io", 443, 443, c).rule; }),
            "registry.unrestricted");
  h.set("moat.registryAccess", json{{"address", "x"}});
  EXPECT_EQ(h.with_context([](const PolicyContext& c) { return judge_egress("x", 443, 443, c).rule; }),
            "registry.setting-invalid");
}

}  // namespace
}  // namespace moat::core::policy
