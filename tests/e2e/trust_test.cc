// Moat's installed code is checked against a manifest signed with the
// stack's key, and an admin can require signed settings.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/test_stack.h"

namespace moat::testing {
namespace {

const std::string kRefusal =
    "moatctl up: refusing to start: installed code does not match the signed manifest "
    "(setting moat.verifyInstalledCode); run `moatctl verify` for details\n";

std::string sha256_of(const std::string& path) { return run("sha256sum " + quote(path) + " | cut -c1-64").out.substr(0, 64); }

TEST(Trust, VerifyFindsEveryChangeToTheRecordedCodeAndUpRefusesIt) {
  TestStack s("trust", test_admin_settings());
  const auto up = s.up();
  ASSERT_EQ(up.exit_code, 0) << up.all() << s.logs();
  const std::string manifest = s.root() + "/manifest.json";
  EXPECT_NE(up.out.find("moatctl up: first start: recorded Moat's installed code (5 files) in the signed manifest " +
                        manifest + "\n"),
            std::string::npos)
      << up.out;
  // The runc wrapper up wrote after recording it is the one recorded.
  auto verified = s.moatctl("verify --root " + s.root());
  EXPECT_EQ(verified.exit_code, 0) << verified.all();
  EXPECT_EQ(verified.out, "moatctl verify: all 5 files match the signed manifest " + manifest + "\n");

  // The build's binaries are never touched: the manifest is pointed at copies.
  const std::string copies = scratch_dir() + "/trust-bin";
  ASSERT_EQ(run("mkdir -p " + copies + " && cp " + bin_dir() + "/moatctl " + bin_dir() + "/moatd " + bin_dir() +
                "/moat-runc " + copies + "/ && chmod 0755 " + copies + "/*")
                .exit_code,
            0);
  const auto written = s.moatctl("manifest write --root " + s.root() + " --bin-dir " + copies);
  ASSERT_EQ(written.exit_code, 0) << written.all();
  EXPECT_TRUE(written.out.ends_with("moatctl manifest write: signed " + manifest + " (5 files)\n")) << written.out;
  verified = s.moatctl("verify --root " + s.root());
  EXPECT_EQ(verified.exit_code, 0) << verified.all();

  const std::string runc = copies + "/moat-runc";
  const std::string recorded = sha256_of(runc);
  ASSERT_EQ(run("printf X | dd of=" + runc + " bs=1 seek=0 conv=notrunc status=none").exit_code, 0);
  ASSERT_EQ(run("chmod 0777 " + copies + "/moatd").exit_code, 0);
  // In the manifest's order: moatctl, moatd, moat-runc.
  const std::string differences = copies + "/moatd: mode 0777, expected 0755\n" + runc +
                                  ": content changed (sha256 " + sha256_of(runc) + " expected " + recorded + ")\n";
  verified = s.moatctl("verify --root " + s.root());
  EXPECT_EQ(verified.exit_code, 1);
  EXPECT_EQ(verified.out, differences + "moatctl verify: 2 differences in 5 files recorded in the signed manifest " +
                              manifest + "\n");

  const auto refused = s.up();
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err, differences + kRefusal);

  // A replaced settings file shows too; the admin may also turn the check off.
  const std::string admin = s.admin_settings();
  const std::string admin_before = sha256_of(admin);
  ASSERT_EQ(run("printf '%s' " +
                quote(test_admin_settings(R"("moat": {"verifyInstalledCode": {"locked": true, "value": false}})")) +
                " > " + admin)
                .exit_code,
            0);
  const auto json = s.moatctl("verify --json --root " + s.root());
  EXPECT_EQ(json.exit_code, 1);
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["ok"], false);
  EXPECT_EQ(doc["checked"], 5);
  ASSERT_EQ(doc["differences"].size(), 3U) << json.out;
  EXPECT_EQ(doc["differences"][2]["path"], admin);
  EXPECT_EQ(doc["differences"][2]["reason"],
            "content changed (sha256 " + sha256_of(admin) + " expected " + admin_before + ")");
  const auto unchecked = s.up();
  EXPECT_EQ(unchecked.exit_code, 0) << unchecked.all();
  EXPECT_TRUE(unchecked.out.starts_with(
      "moatctl up: not checking installed code: moat.verifyInstalledCode is off (set by admin)\n"))
      << unchecked.out;

  // An edited manifest keeps its old signature, which no longer verifies.
  ASSERT_EQ(run("sed -i 's/\"mode\": \"0755\"/\"mode\": \"0777\"/' " + manifest).exit_code, 0);
  verified = s.moatctl("verify --root " + s.root());
  EXPECT_EQ(verified.exit_code, 1);
  EXPECT_EQ(verified.out, manifest + ": signature does not verify with the stack's key\n"
                                     "moatctl verify: the manifest is not trusted; no file was checked\n");

  const auto as_developer = s.as_developer(bin_dir() + "/moatctl verify --root " + s.root());
  EXPECT_EQ(as_developer.exit_code, 1);
  EXPECT_EQ(as_developer.err, "moatctl verify: must run as root: the stack's key and manifest are root's\n");
  run("rm -rf " + copies);
}

TEST(Trust, UpAcceptsOnlySettingsSignedWithThePinnedKey) {
  TestStack s("trust-signed", test_admin_settings());
  const std::string key = scratch_dir() + "/trust-settings-key.pem";
  const std::string pinned = s.root() + "/settings-signing-key.pub";
  ASSERT_EQ(run("mkdir -p " + s.root() + " && openssl genpkey -algorithm ed25519 -out " + key + " && chmod 600 " +
                key + " && openssl pkey -in " + key + " -pubout -out " + pinned)
                .exit_code,
            0);
  const std::string admin = s.admin_settings();
  auto up = s.up();
  EXPECT_EQ(up.exit_code, 2);
  EXPECT_EQ(up.err, admin + ": no signature " + admin + ".sig, and settings must be signed (pinned key " + pinned +
                        ")\nmoatctl up: refusing to start the engine with these settings\n");

  const auto signed_ = s.moatctl("settings sign --key " + key + " " + admin);
  ASSERT_EQ(signed_.exit_code, 0) << signed_.all();
  EXPECT_EQ(signed_.out, "moatctl settings sign: wrote " + admin + ".sig\n");
  // Changed after signing: an unlocked load block the developer could lift.
  ASSERT_EQ(run("printf '%s' " + quote(test_admin_settings(R"("blockDockerLoad": {"locked": false, "value": true})")) +
                " > " + admin)
                .exit_code,
            0);
  up = s.up();
  EXPECT_EQ(up.exit_code, 2);
  EXPECT_EQ(up.err, admin + ": signature " + admin + ".sig does not verify with the pinned key " + pinned +
                        "\nmoatctl up: refusing to start the engine with these settings\n");
  EXPECT_EQ(run("test -S " + s.engine_socket()).exit_code, 1) << "no engine was started";

  ASSERT_EQ(s.moatctl("settings sign --key " + key + " " + admin).exit_code, 0);
  up = s.up();
  EXPECT_EQ(up.exit_code, 0) << up.all() << s.logs();

  // The running guard holds to the signature too: an unsigned edit is
  // refused at its next reload and the last good settings stay in force.
  ASSERT_EQ(run("printf '%s' " + quote(test_admin_settings(R"("blockDockerLoad": {"locked": true, "value": true})")) +
                " > " + admin)
                .exit_code,
            0);
  const auto settings_status = [&s] {
    return nlohmann::json::parse(s.moatctl("status --json --root " + s.root()).out)["settings"];
  };
  nlohmann::json status = settings_status();
  for (int i = 0; i < 50 && !status.value("usingLastGood", false); ++i) {
    run("sleep 0.1");
    status = settings_status();
  }
  ASSERT_TRUE(status.value("usingLastGood", false)) << status.dump();
  EXPECT_EQ(status["problems"][0], admin + ": signature " + admin + ".sig does not verify with the pinned key " + pinned);
  ASSERT_EQ(s.moatctl("settings sign --key " + key + " " + admin).exit_code, 0);
  for (int i = 0; i < 50 && status.value("usingLastGood", true); ++i) {
    run("sleep 0.1");
    status = settings_status();
  }
  EXPECT_FALSE(status.value("usingLastGood", true)) << status.dump();
  run("rm -f " + key);
}

}  // namespace
}  // namespace moat::testing
