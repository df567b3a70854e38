#include "runtime/spec/rewrite.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "core/json/strict_json.h"

namespace moat::runtime::spec {
namespace {

using nlohmann::json;

json fixture(const std::string& name) {
  std::ifstream in(std::string(MOAT_FIXTURES) + "/oci/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  auto doc = core::json::parse_strict(text.str());
  EXPECT_TRUE(doc) << name << ": " << (doc ? "" : doc.error().message);
  return doc ? doc->value : json();
}

// The host of these tests: every capability but CAP_SYS_RESOURCE (bit 24),
// like the machine the fixtures were captured on.
constexpr std::uint64_t kHostCaps = 0x1fffeffffffULL;

RewriteInput input_for(std::uint32_t base = 100000) {
  return RewriteInput{idmap::IdRange{base, 65536}, kHostCaps,
                      [](std::string_view, const std::string& path) {
                        return path.ends_with("/netns/default");
                      }};
}

std::vector<std::string> namespace_types(const json& config) {
  std::vector<std::string> out;
  for (const json& ns : config["linux"]["namespaces"]) {
    out.push_back(ns["type"].get<std::string>());
    EXPECT_FALSE(ns.contains("path"));
  }
  return out;
}

TEST(SpecRewrite, PlainContainerGetsItsOwnUserAndCgroupNamespace) {
  const json plain = fixture("plain.json");
  auto out = rewrite_config(plain, input_for());
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(namespace_types(out->config),
            (std::vector<std::string>{"mount", "network", "uts", "pid", "ipc", "cgroup", "user"}));
  const json mapping = json::parse(R"([{"containerID":0,"hostID":100000,"size":65536}])");
  EXPECT_EQ(out->config["linux"]["uidMappings"], mapping);
  EXPECT_EQ(out->config["linux"]["gidMappings"], mapping);
  EXPECT_EQ(out->config["linux"]["sysctl"]["net.ipv4.ping_group_range"], "0 65535");
  EXPECT_TRUE(out->report.dropped_capabilities.empty());
  EXPECT_TRUE(out->report.dropped_devices.empty());
  EXPECT_EQ(out->report.notes,
            (std::vector<std::string>{
                "cgroup namespace added", "user namespace added",
                "sysctl net.ipv4.ping_group_range \"0 2147483647\" -> \"0 65535\""}));
  // Nothing else changes: process, mounts and root stay as the engine wrote them.
  EXPECT_EQ(out->config["process"], plain["process"]);
  EXPECT_EQ(out->config["mounts"], plain["mounts"]);
  EXPECT_EQ(out->config["root"], plain["root"]);
}

TEST(SpecRewrite, SecondRangeIsUsedAsGiven) {
  auto out = rewrite_config(fixture("plain.json"), input_for(165536));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->config["linux"]["uidMappings"][0]["hostID"], 165536);
}

TEST(SpecRewrite, RefusesHostPidNamespace) {
  auto out = rewrite_config(fixture("pid_host.json"), input_for());
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message,
            "moat-runc: container cannot share the host's pid namespace (Enhanced Container "
            "Isolation runs every container in its own namespaces); run it without --pid=host");
}

TEST(SpecRewrite, RefusesHostNetworkNamespacePath) {
  auto out = rewrite_config(fixture("network_host.json"), input_for());
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message,
            "moat-runc: container cannot share the host's network namespace (Enhanced Container "
            "Isolation runs every container in its own namespaces); run it without "
            "--network=host");
}

TEST(SpecRewrite, RefusesJoiningAnotherContainersNamespace) {
  json config = fixture("plain.json");
  config["linux"]["namespaces"][1] = json{{"type", "network"}, {"path", "/proc/4242/ns/net"}};
  auto out = rewrite_config(config, input_for());
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message,
            "moat-runc: container cannot join the network namespace at /proc/4242/ns/net "
            "(Enhanced Container Isolation runs every container in its own namespaces); run it "
            "without --network=container:<name>");
}

TEST(SpecRewrite, RefusesEachMissingNamespace) {
  for (const std::string type : {"ipc", "uts", "mount"}) {
    json config = fixture("plain.json");
    json kept = json::array();
    for (const json& ns : config["linux"]["namespaces"]) {
      if (ns["type"] != type) {
        kept.push_back(ns);
      }
    }
    config["linux"]["namespaces"] = kept;
    auto out = rewrite_config(config, input_for());
    ASSERT_FALSE(out) << type;
    const std::string hint =
        type == "mount" ? "give the container its own mount namespace" : "run it without --" + type + "=host";
    EXPECT_EQ(out.error().message, "moat-runc: container cannot share the host's " + type +
                                       " namespace (Enhanced Container Isolation runs every "
                                       "container in its own namespaces); " +
                                       hint);
  }
}

TEST(SpecRewrite, UsernsHostIsIsolatedAnyway) {
  auto out = rewrite_config(fixture("userns_host.json"), input_for());
  ASSERT_TRUE(out);
  EXPECT_EQ(out->config["linux"]["uidMappings"][0]["hostID"], 100000);
  EXPECT_EQ(namespace_types(out->config).back(), "user");
}

TEST(SpecRewrite, EngineUserNamespaceMappingIsReplaced) {
  json config = fixture("plain.json");
  config["linux"]["namespaces"].push_back(json{{"type", "user"}});
  config["linux"]["uidMappings"] =
      json::parse(R"([{"containerID":0,"hostID":0,"size":4294967295}])");
  auto out = rewrite_config(config, input_for());
  ASSERT_TRUE(out);
  EXPECT_EQ(out->config["linux"]["uidMappings"],
            json::parse(R"([{"containerID":0,"hostID":100000,"size":65536}])"));
  EXPECT_EQ(out->report.notes[1], "user namespace mapping replaced by the container's range");
  EXPECT_EQ(namespace_types(out->config),
            (std::vector<std::string>{"mount", "network", "uts", "pid", "ipc", "cgroup", "user"}));
}

TEST(SpecRewrite, RefusesJoiningAUserNamespace) {
  json config = fixture("plain.json");
  config["linux"]["namespaces"].push_back(json{{"type", "user"}, {"path", "/proc/1/ns/user"}});
  auto out = rewrite_config(config, input_for());
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message,
            "moat-runc: container cannot join the user namespace at /proc/1/ns/user (Enhanced "
            "Container Isolation runs every container in its own namespaces); give the container "
            "its own user namespace");
}

TEST(SpecRewrite, PrivilegedKeepsOnlyHostCapabilitiesAndHarmlessDevices) {
  const json privileged = fixture("privileged.json");
  ASSERT_EQ(privileged["linux"]["devices"].size(), 102U);
  auto out = rewrite_config(privileged, input_for());
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->report.dropped_capabilities, (std::vector<std::string>{"CAP_SYS_RESOURCE"}));
  for (const char* set : {"bounding", "effective", "permitted"}) {
    const json& caps = out->config["process"]["capabilities"][set];
    EXPECT_EQ(caps.size(), privileged["process"]["capabilities"][set].size() - 1) << set;
    EXPECT_EQ(std::count(caps.begin(), caps.end(), json("CAP_SYS_RESOURCE")), 0) << set;
    EXPECT_EQ(std::count(caps.begin(), caps.end(), json("CAP_SYS_ADMIN")), 1) << set;
  }
  std::vector<std::string> kept;
  for (const json& d : out->config["linux"]["devices"]) {
    kept.push_back(d["path"].get<std::string>());
  }
  EXPECT_EQ(kept, (std::vector<std::string>{"/dev/full", "/dev/fuse", "/dev/net/tun", "/dev/null",
                                            "/dev/ptmx", "/dev/random", "/dev/tty", "/dev/urandom",
                                            "/dev/zero"}));
  EXPECT_EQ(out->report.dropped_devices.size(), 93U);
  EXPECT_EQ(out->report.dropped_devices.front(), "/dev/autofs (c 10:235)");
}

TEST(SpecRewrite, UnknownCapabilityNamesAreLeftOutAndReported) {
  json config = fixture("plain.json");
  config["process"]["capabilities"]["bounding"].push_back("CAP_FUTURE_THING");
  auto out = rewrite_config(config, input_for());
  ASSERT_TRUE(out);
  EXPECT_EQ(out->report.dropped_capabilities, (std::vector<std::string>{"CAP_FUTURE_THING"}));
}

TEST(SpecRewrite, BindMountSpecIsAcceptedUnchangedInMounts) {
  const json config = fixture("bind_mount.json");
  auto out = rewrite_config(config, input_for());
  ASSERT_TRUE(out);
  EXPECT_EQ(out->config["mounts"], config["mounts"]);
  bool found = false;
  for (const json& m : out->config["mounts"]) {
    found = found || (m["destination"] == "/data" && m["source"] == "/srv/data");
  }
  EXPECT_TRUE(found);
}

TEST(SpecRewrite, RefusesProcWorkingDirectories) {
  for (const std::string cwd : {"/proc/self/fd/7", "/proc/thread-self/fd/3", "/proc/1/cwd",
                                "/tmp/../proc/self/fd/4", "//proc/./self/fd"}) {
    json config = fixture("plain.json");
    config["process"]["cwd"] = cwd;
    auto out = rewrite_config(config, input_for());
    ASSERT_FALSE(out) << cwd;
    EXPECT_EQ(out.error().message,
              "moat-runc: container working directory " + cwd +
                  " is refused (a working directory under /proc/self, /proc/thread-self or "
                  "/proc/<pid> can reach the runtime's open files, as in CVE-2024-21626); choose "
                  "a directory of the container's own filesystem");
  }
  for (const std::string cwd : {"/", "/proc", "/proc/sys", "/srv/proc/self/fd"}) {
    json config = fixture("plain.json");
    config["process"]["cwd"] = cwd;
    EXPECT_TRUE(rewrite_config(config, input_for())) << cwd;
  }
}

constexpr const char* kWorkdirReason =
    "(a working directory under /proc/self, /proc/thread-self or /proc/<pid> can reach the "
    "runtime's open files, as in CVE-2024-21626); choose a directory of the container's own "
    "filesystem";

TEST(SpecRewrite, ResolvedWorkingDirectoryIsCheckedByTheSameRule) {
  auto linked = check_working_directory("/work", "/proc/self/fd/7");
  ASSERT_FALSE(linked);
  EXPECT_EQ(linked.error().message,
            std::string("moat-runc: container working directory /work resolves to /proc/self/fd/7, "
                        "which is refused ") + kWorkdirReason);
  auto by_pid = check_working_directory("/a/b", "/proc/1/root");
  ASSERT_FALSE(by_pid);
  EXPECT_EQ(by_pid.error().message,
            std::string("moat-runc: container working directory /a/b resolves to /proc/1/root, "
                        "which is refused ") + kWorkdirReason);
  // The text alone is refused with the text check's own wording, wherever
  // it resolves.
  auto text = check_working_directory("/proc/self/fd/7", "/srv");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().message,
            std::string("moat-runc: container working directory /proc/self/fd/7 is refused ") +
                kWorkdirReason);
  EXPECT_TRUE(check_working_directory("/work", "/work"));
  EXPECT_TRUE(check_working_directory("/work", "/srv/app"));
  EXPECT_TRUE(check_working_directory("/link", "/proc"));
}

TEST(SpecRewrite, ExecProcessIsVetted) {
  const json process = fixture("exec_process.json");
  auto same = rewrite_process(process, kHostCaps);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->config, process);
  auto narrowed = rewrite_process(process, kHostCaps & ~(1ULL << 0));  // no CAP_CHOWN
  ASSERT_TRUE(narrowed);
  EXPECT_EQ(narrowed->report.dropped_capabilities, (std::vector<std::string>{"CAP_CHOWN"}));
  EXPECT_EQ(narrowed->config["capabilities"]["bounding"][0], "CAP_DAC_OVERRIDE");
  json bad = process;
  bad["cwd"] = "/proc/self/fd/5";
  EXPECT_FALSE(rewrite_process(bad, kHostCaps));
}

TEST(SpecRewrite, PingGroupRangeOutsideTheRangeIsRemoved) {
  json config = fixture("plain.json");
  config["linux"]["sysctl"]["net.ipv4.ping_group_range"] = "70000 80000";
  auto out = rewrite_config(config, input_for());
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->config["linux"]["sysctl"].contains("net.ipv4.ping_group_range"));
  EXPECT_EQ(out->report.notes.back(),
            "sysctl net.ipv4.ping_group_range=\"70000 80000\" removed: it names no gid of the "
            "container's range");
}

TEST(SpecRewrite, RefusesMalformedSpecs) {
  EXPECT_EQ(rewrite_config(json::array(), input_for()).error().message,
            "moat-runc: config.json is not a JSON object");
  EXPECT_EQ(rewrite_config(json::object(), input_for()).error().message,
            "moat-runc: config.json has no linux section");
  json twice = fixture("plain.json");
  twice["linux"]["namespaces"].push_back(json{{"type", "pid"}});
  EXPECT_EQ(rewrite_config(twice, input_for()).error().message,
            "moat-runc: namespace type \"pid\" is listed twice");
  json unknown = fixture("plain.json");
  unknown["linux"]["namespaces"].push_back(json{{"type", "time"}});
  EXPECT_EQ(rewrite_config(unknown, input_for()).error().message,
            "moat-runc: unknown namespace type \"time\"");
  json caps = fixture("plain.json");
  caps["process"]["capabilities"]["bounding"] = "CAP_KILL";
  EXPECT_EQ(rewrite_config(caps, input_for()).error().message,
            "moat-runc: process.capabilities.bounding is not a list");
  EXPECT_EQ(rewrite_config(fixture("plain.json"), RewriteInput{}).error().message,
            "moat-runc: no id range was allocated for the container");
}

TEST(SpecRewrite, NormalizesPaths) {
  EXPECT_EQ(normalize_path("/a/./b/../c"), "/a/c");
  EXPECT_EQ(normalize_path("/../.."), "/");
  EXPECT_EQ(normalize_path("//proc//self/"), "/proc/self");
}

}  // namespace
}  // namespace moat::runtime::spec
