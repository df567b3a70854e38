// Settings that cannot be trusted or read stop the stack from starting; a
// running stack keeps its last good settings when the file breaks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness/test_stack.h"

namespace moat::testing {
namespace {

TEST(SettingsEnforcement, UpRefusesMalformedSettingsWithPlaces) {
  TestStack s("malformed", "{\"configurationFileVersion\": 2,\n  \"blockDockerLoad\": {\"value\": \"yes\"},\n}\n");
  const auto r = s.up();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, s.admin_settings() + ":3:1: syntax error while parsing object key - unexpected '}'; "
                   "expected string literal\nmoatctl up: refusing to start the engine with these settings; "
                   "`moatctl settings validate FILE` checks a fix\n");
  EXPECT_EQ(run("test -S " + s.engine_socket()).exit_code, 1) << "no engine was started";
}

TEST(SettingsEnforcement, UpRefusesSettingsAFileADeveloperOwns) {
  TestStack s("tampered", test_admin_settings());
  ASSERT_EQ(run("chown " + developer() + " " + s.admin_settings()).exit_code, 0);
  const auto r = s.up();
  EXPECT_EQ(r.exit_code, 2);
  const auto uid = run("id -u " + developer()).out;
  EXPECT_EQ(r.err, s.admin_settings() + ": refused as tampered: " + s.admin_settings() + " is owned by uid " +
                       uid.substr(0, uid.size() - 1) + ", not root\nmoatctl up: refusing to start the engine "
                       "with these settings; `moatctl settings validate FILE` checks a fix\n");
}

TEST(SettingsEnforcement, UpRefusesGroupWritableSettings) {
  TestStack s("writable", test_admin_settings());
  ASSERT_EQ(run("chmod 0666 " + s.admin_settings()).exit_code, 0);
  const auto r = s.up();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(s.admin_settings() + " is writable by group or others (mode 0666)"), std::string::npos)
      << r.err;
}

TEST(SettingsEnforcement, UpRefusesASymlinkIntoTheDevelopersHome) {
  TestStack s("symlink", test_admin_settings());
  const std::string planted = developer_home() + "/admin-settings.json";
  ASSERT_EQ(run("cp " + s.admin_settings() + " " + planted + " && chown " + developer() + " " + planted +
                " && ln -sf " + planted + " " + s.admin_settings()).exit_code, 0);
  const auto r = s.up();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("refused as tampered: it resolves to " + planted), std::string::npos) << r.err;
  run("rm -f " + planted);
}

TEST(SettingsEnforcement, UpRefusesMoatOwnedDaemonOptions) {
  TestStack s("owned", R"({"configurationFileVersion": 2,
  "linuxVM": {"dockerDaemonOptions": {"locked": true, "value": "{\"default-runtime\": \"runc\"}"}}})");
  const auto r = s.up();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(":2:55: linuxVM.dockerDaemonOptions.value: \"default-runtime\" is owned by Moat and "
                       "cannot be set: every container runs through Moat's isolating runtime"),
            std::string::npos)
      << r.err;
}

TEST(SettingsEnforcement, RunningStackKeepsLastGoodSettingsWhenTheFileBreaks) {
  TestStack s("lastgood", test_admin_settings(R"("blockDockerLoad": {"locked": true, "value": true})"));
  ASSERT_EQ(s.up().exit_code, 0);
  {
    std::ofstream(s.admin_settings(), std::ios::trunc) << "{\"configurationFileVersion\": 2,,}";
  }
  nlohmann::json st;
  for (int i = 0; i < 50; ++i) {  // moatd notices within its 2 s watch interval
    st = nlohmann::json::parse(s.moatctl("status --json --root " + s.root()).out);
    if (st["settings"]["usingLastGood"] == true) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(st["settings"]["usingLastGood"], true);
  ASSERT_EQ(st["settings"]["problems"].size(), 1U);
  EXPECT_EQ(st["settings"]["problems"][0],
            s.admin_settings() + ":1:32: syntax error while parsing object key - unexpected ','; expected string literal");
  const auto show = nlohmann::json::parse(s.moatctl("settings show --json --root " + s.root()).out);
  EXPECT_EQ(show["blockDockerLoad"]["value"], true) << "the last good value stays in force";
  const auto log = s.logs();
  EXPECT_NE(log.find("moatd: settings refused; keeping the last good settings:"), std::string::npos) << log;
  const auto human = s.moatctl("status --root " + s.root());
  EXPECT_NE(human.out.find("WARNING  the settings file is refused; the last good settings stay in force"),
            std::string::npos) << human.out;
}

TEST(SettingsEnforcement, ValidatePrintsEveryProblem) {
  TestStack s("validate", "{\"configurationFileVersion\": 2,\n \"blockDockerLoad\": {\"value\": 1},\n \"nope\": {}}\n");
  const auto r = s.moatctl("settings validate " + s.admin_settings());
  EXPECT_EQ(r.exit_code, 1);
  const std::string f = s.admin_settings();
  EXPECT_EQ(r.out, f + ":2:22: blockDockerLoad.value: expected true or false, found the number 1\n" + f +
                       ":3:2: nope: unknown setting; not a Docker Desktop version 2 key or a Moat key\n" + f +
                       ": 2 problems; moatctl up refuses this file\n");
}

TEST(SettingsEnforcement, ValidateAcceptsDockerDesktopExampleAndNotesWhatDoesNotApply) {
  const auto r = run(bin_dir() + "/moatctl settings validate " + std::string(MOAT_FIXTURES) +
                     "/settings/docker-desktop-example.json");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.out.find("linuxVM.wslEngineEnabled: not applicable: applies to Docker Desktop's app or VM, not to a Linux engine"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("docker-desktop-example.json: valid\n"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace moat::testing
