#include "core/policy/host_paths.h"

#include <gtest/gtest.h>

#include <fstream>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::json;
using test_support::PolicyHarness;
using test_support::TempDir;

constexpr const char* kShareRemedy =
    " An admin can share it by adding its directory to \"filesharingAllowedDirectories\" in "
    "admin-settings.json.";

Decision judge(PolicyHarness& h, const std::string& source) {
  return h.with_context([&](const PolicyContext& c) {
    return judge_host_path(source, "bind mount of " + source, c);
  });
}

struct PathCase {
  const char* source;
  const char* rule;
  const char* message;  // "" when allowed
};

class ModelledHostPath : public ::testing::TestWithParam<PathCase> {};

TEST_P(ModelledHostPath, IsJudged) {
  PolicyHarness h;
  const auto& c = GetParam();
  const auto d = judge(h, c.source);
  EXPECT_EQ(d.rule, c.rule);
  if (std::string(c.message).empty()) {
    EXPECT_TRUE(d.allowed) << d.message();
  } else {
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.message(), c.message);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Binds, ModelledHostPath,
    ::testing::Values(
        PathCase{"/home/dev/project", "bind.shared-directory", ""},
        PathCase{"/home/dev/not/yet/there", "bind.shared-directory", ""},
        PathCase{"/tmp/scratch", "bind.shared-directory", ""},
        PathCase{"//home//dev/project/", "bind.shared-directory", ""},
        PathCase{"/var/run/docker.sock", "bind.restricted-path",
                 "Moat refused this request: bind mount of /var/run/docker.sock (resolves to "
                 "/run/docker.sock) is not allowed: it is the system engine socket "
                 "/var/run/docker.sock (rule bind.restricted-path). Nothing an admin can change "
                 "allows this."},
        PathCase{"/run", "bind.restricted-path",
                 "Moat refused this request: bind mount of /run is not allowed: it contains the "
                 "engine socket /run/moat/engine.sock (rule bind.restricted-path). Nothing an "
                 "admin can change allows this."},
        PathCase{"/var/run", "bind.restricted-path",
                 "Moat refused this request: bind mount of /var/run (resolves to /run) is not "
                 "allowed: it contains the engine socket /run/moat/engine.sock (rule "
                 "bind.restricted-path). Nothing an admin can change allows this."},
        PathCase{"/", "bind.restricted-path",
                 "Moat refused this request: bind mount of / is not allowed: it contains the "
                 "engine socket /run/moat/engine.sock (rule bind.restricted-path). Nothing an "
                 "admin can change allows this."},
        PathCase{"/home/dev/sock", "bind.restricted-path",
                 "Moat refused this request: bind mount of /home/dev/sock (resolves to "
                 "/run/moat/engine.sock) is not allowed: it is the engine socket "
                 "/run/moat/engine.sock (rule bind.restricted-path). Nothing an admin can change "
                 "allows this."},
        PathCase{"/home/dev/runlink", "bind.restricted-path",
                 "Moat refused this request: bind mount of /home/dev/runlink (resolves to /run) "
                 "is not allowed: it contains the engine socket /run/moat/engine.sock (rule "
                 "bind.restricted-path). Nothing an admin can change allows this."},
        PathCase{"/run/moat/state", "bind.restricted-path",
                 "Moat refused this request: bind mount of /run/moat/state is not allowed: it is "
                 "inside Moat's run directory /run/moat (rule bind.restricted-path). Nothing an "
                 "admin can change allows this."},
        PathCase{"/mnt/run-again", "bind.restricted-path",
                 "Moat refused this request: bind mount of /mnt/run-again is not allowed: it "
                 "contains the engine socket /run/moat/engine.sock (rule bind.restricted-path). "
                 "Nothing an admin can change allows this."},
        PathCase{"/etc/docker/daemon.json", "bind.restricted-path",
                 "Moat refused this request: bind mount of /etc/docker/daemon.json is not "
                 "allowed: it is inside the engine configuration /etc/docker (rule "
                 "bind.restricted-path). Nothing an admin can change allows this."},
        PathCase{"/opt/data", "bind.outside-shared-directories",
                 "Moat refused this request: bind mount of /opt/data is not allowed: it is "
                 "outside the shared directories (/home/dev, /tmp) (setting "
                 "filesharingAllowedDirectories). An admin can share it by adding its directory "
                 "to \"filesharingAllowedDirectories\" in admin-settings.json."},
        PathCase{"/home/dev2", "bind.outside-shared-directories",
                 "Moat refused this request: bind mount of /home/dev2 is not allowed: it is "
                 "outside the shared directories (/home/dev, /tmp) (setting "
                 "filesharingAllowedDirectories). An admin can share it by adding its directory "
                 "to \"filesharingAllowedDirectories\" in admin-settings.json."},
        PathCase{"data", "bind.source-path",
                 "Moat refused this request: bind mount of data is not allowed: a host path must "
                 "be absolute, without . or .. components (rule bind.source-path). Nothing an "
                 "admin can change allows this."},
        PathCase{"/home/dev/../../run", "bind.source-path",
                 "Moat refused this request: bind mount of /home/dev/../../run is not allowed: a "
                 "host path must be absolute, without . or .. components (rule "
                 "bind.source-path). Nothing an admin can change allows this."},
        PathCase{"/home/dev/./project", "bind.source-path",
                 "Moat refused this request: bind mount of /home/dev/./project is not allowed: a "
                 "host path must be absolute, without . or .. components (rule "
                 "bind.source-path). Nothing an admin can change allows this."},
        PathCase{"/home/dev/loop/x", "bind.unresolvable",
                 "Moat refused this request: bind mount of /home/dev/loop/x is not allowed: "
                 "cannot resolve /home/dev/loop/x: Too many levels of symbolic links (rule "
                 "bind.unresolvable). Nothing an admin can change allows this."}));

TEST(HostPaths, NulInsideAPathIsRefused) {
  PolicyHarness h;
  const std::string source("/home/dev/x\0/run", 16);
  EXPECT_EQ(judge(h, source).rule, "bind.source-path");
}

TEST(HostPaths, WithoutAKnownHomeOnlyOtherSharesCount) {
  PolicyHarness h;
  h.caller.home = "";
  const auto d = judge(h, "/home/dev/project");
  EXPECT_EQ(d.message(),
            std::string("Moat refused this request: bind mount of /home/dev/project is not "
                        "allowed: it is outside the shared directories (/tmp) (setting "
                        "filesharingAllowedDirectories).") +
                kShareRemedy);
}

TEST(HostPaths, NothingSharedRefusesEveryBind) {
  PolicyHarness h;
  h.set("filesharingAllowedDirectories", json::array());
  const auto d = judge(h, "/home/dev/project");
  EXPECT_EQ(d.reason,
            "bind mount of /home/dev/project is not allowed: it is outside the shared "
            "directories (none are shared)");
}

TEST(HostPaths, AMalformedShareSettingSharesNothing) {
  PolicyHarness h;
  h.set("filesharingAllowedDirectories", "/home/dev");
  EXPECT_EQ(judge(h, "/home/dev/project").rule, "bind.outside-shared-directories");
}

TEST(HostPaths, SharedDirectoriesExpandVariables) {
  PolicyHarness h;
  h.set("filesharingAllowedDirectories", json::array({{{"path", "$HOME"}},
                                                      {{"path", "$HOME/code"}},
                                                      {{"path", "$TMP"}},
                                                      {{"path", "$TEMP/x"}},
                                                      {{"path", "/srv/"}},
                                                      {{"path", "relative"}},
                                                      {{"path", "$HOMEWORK"}}}));
  const auto dirs = h.with_context([](const PolicyContext& c) { return shared_directories(c); });
  EXPECT_EQ(dirs,
            (std::vector<std::string>{"/home/dev", "/home/dev/code", "/tmp", "/tmp/x", "/srv"}));
}

TEST(HostPaths, AnEmptyProtectedPathProtectsNothing) {
  PolicyHarness h;
  h.protected_paths.push_back({"", "an unset path"});
  EXPECT_TRUE(judge(h, "/home/dev/project").allowed);
}

TEST(HostPaths, PathWithinComparesComponents) {
  EXPECT_TRUE(path_within("/a/b", "/a"));
  EXPECT_TRUE(path_within("/a", "/a"));
  EXPECT_TRUE(path_within("/a", "/"));
  EXPECT_FALSE(path_within("/ab", "/a"));
  EXPECT_FALSE(path_within("/a", "/a/b"));
}

// The same rules against this host's real filesystem, in a temporary tree:
//   run/moat/engine.sock (protected), home/ (shared, the caller's home) with
//   project/, link -> the socket, runlink -> run, hard (a hard link to the
//   socket), escape -> outside/.
class RealHostPath : public ::testing::Test {
 protected:
  void SetUp() override {
    namespace fs = std::filesystem;
    fs::create_directories(tmp / "run/moat");
    fs::create_directories(tmp / "home/project");
    fs::create_directories(tmp / "outside");
    std::ofstream(tmp / "run/moat/engine.sock") << "not a socket, but protected all the same";
    fs::create_symlink(tmp / "run/moat/engine.sock", tmp / "home/link");
    fs::create_symlink(tmp / "run", tmp / "home/runlink");
    fs::create_symlink(tmp / "outside", tmp / "home/escape");
    fs::create_symlink(tmp / "home", tmp / "homelink");
    fs::create_hard_link(tmp / "run/moat/engine.sock", tmp / "home/hard");
    h.protected_paths = {{tmp / "run/moat/engine.sock", "the engine socket"},
                         {tmp / "run/moat", "Moat's run directory"}};
    h.caller.home = tmp / "home";
    h.set("filesharingAllowedDirectories", json::array({{{"path", "$HOME"}}}));
  }

  Decision judge_real(const std::string& source) {
    return h.with_context([&](const PolicyContext& c) {
      PolicyContext real{c.settings, c.caller, c.protected_paths, c.eci_active, nullptr};
      return judge_host_path(source, "bind mount of " + source, real);
    });
  }

  TempDir tmp;
  PolicyHarness h;
};

TEST_F(RealHostPath, ADirectoryInTheHomeIsAllowed) {
  EXPECT_TRUE(judge_real(tmp / "home/project").allowed);
  EXPECT_TRUE(judge_real(tmp / "home/not/yet").allowed);
}

TEST_F(RealHostPath, ASymlinkToTheSocketIsRefused) {
  const std::string s = tmp / "run/moat/engine.sock";
  EXPECT_EQ(judge_real(tmp / "home/link").reason,
            "bind mount of " + (tmp / "home/link").string() + " (resolves to " + s +
                ") is not allowed: it is the engine socket " + s);
}

TEST_F(RealHostPath, TheParentOfTheSocketIsRefused) {
  const std::string s = tmp / "run/moat/engine.sock";
  EXPECT_EQ(
      judge_real(tmp / "run").reason,
      "bind mount of " + (tmp / "run").string() + " is not allowed: it contains the engine socket " + s);
}

TEST_F(RealHostPath, ASymlinkToTheParentIsRefused) {
  const std::string s = tmp / "run/moat/engine.sock";
  EXPECT_EQ(judge_real(tmp / "home/runlink/moat").reason,
            "bind mount of " + (tmp / "home/runlink/moat").string() + " (resolves to " + (tmp / "run/moat").string() +
                ") is not allowed: it contains the engine socket " + s);
}

TEST_F(RealHostPath, AHardLinkToTheSocketIsRefusedByIdentity) {
  const std::string s = tmp / "run/moat/engine.sock";
  EXPECT_EQ(
      judge_real(tmp / "home/hard").reason,
      "bind mount of " + (tmp / "home/hard").string() + " is not allowed: it is the engine socket " + s);
}

TEST_F(RealHostPath, ASymlinkOutOfTheHomeIsRefused) {
  const auto d = judge_real(tmp / "home/escape");
  EXPECT_EQ(d.rule, "bind.outside-shared-directories");
  EXPECT_EQ(d.reason,
            "bind mount of " + (tmp / "home/escape").string() + " (resolves to " + (tmp / "outside").string() +
                ") is not allowed: it is outside the shared directories (" + (tmp / "home").string() + ")");
}

TEST_F(RealHostPath, AHomeReachedThroughASymlinkStillShares) {
  h.caller.home = tmp / "homelink";
  EXPECT_TRUE(judge_real(tmp / "home/project").allowed);
}

}  // namespace
}  // namespace moat::core::policy
