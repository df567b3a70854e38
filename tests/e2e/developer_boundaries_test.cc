// What a developer in group docker must not be able to do to the stack.
#include <gtest/gtest.h>

#include "e2e/shared_stack.h"

namespace moat::testing {
namespace {

TEST(DeveloperBoundaries, CannotOpenTheEngineSocket) {
  auto& s = shared_stack();
  const auto r = s.as_developer("docker -H unix://" + s.engine_socket() + " ps");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("permission denied"), std::string::npos) << r.all();
}

TEST(DeveloperBoundaries, CannotWriteTheSettingsFile) {
  auto& s = shared_stack();
  const auto r = s.as_developer("echo '{}' > " + s.admin_settings());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.all();
  EXPECT_NE(s.as_developer("rm -f " + s.admin_settings()).exit_code, 0);
}

TEST(DeveloperBoundaries, CannotReadEngineConfigurationOrState) {
  auto& s = shared_stack();
  const auto r = s.as_developer("cat " + s.root() + "/state/daemon.json");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.all();
}

TEST(DeveloperBoundaries, CannotChangeALockedSetting) {
  auto& s = shared_stack();
  const auto r = s.as_developer(bin_dir() + "/moatctl settings set enhancedContainerIsolation false --root " + s.root());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "moatctl settings set: setting \"enhancedContainerIsolation\" is locked by your administrator; "
            "an admin can unlock it with \"locked\": false in admin-settings.json\n");
  const auto proxy = s.as_developer(bin_dir() + "/moatctl settings set proxy.http http://evil:3128 --root " + s.root());
  EXPECT_EQ(proxy.exit_code, 1);
  EXPECT_EQ(proxy.err,
            "moatctl settings set: setting \"proxy.http\" is locked by your administrator; an admin can "
            "unlock it with \"locked\": false in admin-settings.json\n");
  const auto options = s.as_developer(bin_dir() + "/moatctl settings set linuxVM.dockerDaemonOptions "
                                      "'{\"hosts\":[\"tcp://0.0.0.0:2375\"]}' --root " + s.root());
  EXPECT_EQ(options.exit_code, 1);
  EXPECT_NE(options.err.find("is locked by your administrator"), std::string::npos) << options.err;
}

// A value the shell passes as raw bytes gets a sentence, not an abort.
TEST(DeveloperBoundaries, AValueThatIsNotUtf8IsRefusedWithAReason) {
  auto& s = shared_stack();
  const auto r = s.as_developer(bin_dir() + "/moatctl settings set blockDockerLoad \"$(printf '\\377')\" --root " + s.root());
  EXPECT_EQ(r.exit_code, 1) << r.all();
  EXPECT_EQ(r.err, "moatctl settings set: invalid value for \"blockDockerLoad\": not UTF-8 text\n");
  const auto key = s.as_developer(bin_dir() + "/moatctl settings set \"block$(printf '\\377')Load\" true --root " + s.root());
  EXPECT_EQ(key.exit_code, 1) << key.all();
  EXPECT_EQ(key.err, "moatctl settings set: unknown setting: its name is not UTF-8 text; `moatctl settings show` "
                     "lists them\n");
}

TEST(DeveloperBoundaries, ChangesAnUnlockedSettingThroughMoatd) {
  auto& s = shared_stack();
  const auto r = s.as_developer(bin_dir() + "/moatctl settings set blockDockerLoad true --root " + s.root());
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(r.out, "blockDockerLoad set to true\n");
  const auto show = s.as_developer(bin_dir() + "/moatctl settings show --json --root " + s.root());
  EXPECT_NE(show.out.find("\"source\": \"developer\""), std::string::npos) << show.out;
  // The layer is stored by moatd, owned by root: the developer cannot edit it.
  const auto stat = run("stat -c '%U %a' " + s.root() + "/developer-settings.json");
  EXPECT_EQ(stat.out, "root 644\n");
  EXPECT_EQ(s.as_developer(bin_dir() + "/moatctl settings set blockDockerLoad false --root " + s.root()).exit_code, 0);
}

// The control socket is the docker group's too: a query whose decoded
// bytes are not UTF-8 is answered 400, and moatd goes on serving everyone.
TEST(DeveloperBoundaries, AMalformedAuditQueryIsRefusedAndMoatdStaysUp) {
  auto& s = shared_stack();
  const std::string control = "curl -s --unix-socket " + s.root() + "/control.sock ";
  const auto limit = s.as_developer(control + "'http://x/audit/records?limit=%FF'");
  EXPECT_EQ(limit.out, "{\"message\":\"limit must be a positive number, got \\\"\xef\xbf\xbd\\\"\"}\n") << limit.all();
  const auto key = s.as_developer(control + "'http://x/audit/records?%FF=1'");
  EXPECT_EQ(key.out, "{\"message\":\"unknown parameter \\\"\xef\xbf\xbd\\\"\"}\n") << key.all();
  const auto ping = s.developer_docker("version --format '{{.Server.Version}}'");
  EXPECT_EQ(ping.exit_code, 0) << ping.all() << s.logs();
}

// A request the control socket's parser refuses is answered with the reason
// (it used to be met with a closed connection), and moatd serves on.
TEST(DeveloperBoundaries, AMalformedControlRequestIsAnsweredWithTheReason) {
  auto& s = shared_stack();
  const auto r = s.as_developer("curl -s -i --unix-socket " + s.root() +
                                "/control.sock -H \"$(printf 'X-B\\377d: 1')\" http://x/status");
  EXPECT_NE(r.out.find("HTTP/1.1 400 Bad Request"), std::string::npos) << r.all();
  EXPECT_NE(r.out.find("{\"message\":\"malformed control request: bad field\"}"), std::string::npos) << r.all();
  const auto status = s.as_developer("curl -s --unix-socket " + s.root() + "/control.sock http://x/status");
  EXPECT_NE(status.out.find("\"settings\""), std::string::npos) << status.all() << s.logs();
}

TEST(DeveloperBoundaries, CannotReloadSettings) {
  auto& s = shared_stack();
  const auto r = s.as_developer("printf 'POST /reload HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 0\\r\\n\\r\\n' | "
                                "nc -U -q 2 " + s.root() + "/control.sock 2>&1 || "
                                "curl -s --unix-socket " + s.root() + "/control.sock -X POST http://x/reload");
  EXPECT_NE(r.out.find("only root may reload Moat's settings"), std::string::npos) << r.all();
}

}  // namespace
}  // namespace moat::testing
