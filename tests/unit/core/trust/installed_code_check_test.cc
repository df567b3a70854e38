// moatctl up's check of the binaries it starts (src/cli/verify_commands.cc).
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "cli/verify_commands.h"
#include "core/trust/manifest_store.h"
#include "trust_test_support.h"

namespace moat::cli {
namespace {

using core::trust::testing_support::read_text;
using core::trust::testing_support::TempDir;
using core::trust::testing_support::write_text;

constexpr const char* kRefusal =
    "moatctl up: refusing to start: installed code does not match the signed manifest "
    "(setting moat.verifyInstalledCode); run `moatctl verify` for details";

struct Stack {
  TempDir dir;
  std::string bin = dir / "bin";
  core::stack::Layout layout = core::stack::make_layout(dir / "stack", dir / "admin.json");

  explicit Stack(const std::string& members = "") {
    core::trust::testing_support::make_fake_binaries(bin);
    write_text(dir / "admin.json",
               "{\"configurationFileVersion\": 2" + (members.empty() ? "" : ", " + members) + "}\n",
               0644);
  }
  std::string check(const std::string& bin_dir = "") const {
    const auto settings = core::settings::load_settings_state(layout.admin_settings, layout.user_settings(), false);
    if (!settings) return "settings: " + settings.error().front();
    const auto r = check_installed_code(layout, *settings, {bin_dir.empty() ? bin : bin_dir});
    return r ? "accepted" : r.error().message;
  }
  std::string manifest() const { return core::trust::manifest_path(layout); }
};

TEST(InstalledCodeCheck, TheFirstStartRecordsTheCodeAndLaterStartsAcceptIt) {
  const Stack s;
  ASSERT_FALSE(std::filesystem::exists(s.manifest()));
  EXPECT_EQ(s.check(), "accepted");
  const auto key = core::audit::VerifyKey::load(core::trust::stack_public_key_path(s.layout));
  ASSERT_TRUE(key) << key.error().message;
  const auto loaded = core::trust::load_verified_manifest(s.manifest(), *key);
  ASSERT_TRUE(loaded && loaded->has_value());
  const auto& manifest = **loaded;
  EXPECT_EQ(manifest.bin_dir, s.bin);
  ASSERT_EQ(manifest.files.size(), 5U);
  EXPECT_EQ(manifest.files[0].path, s.bin + "/moatctl");
  EXPECT_EQ(manifest.files[3].role, "runtime-wrapper");  // Enhanced Container Isolation is on by default
  EXPECT_EQ(manifest.files[3].path, s.layout.runtime_bin_dir() + "/runc");
  EXPECT_EQ(manifest.files[3].mode, 0755U);
  EXPECT_EQ(manifest.files[4].path, s.layout.admin_settings);
  EXPECT_EQ(s.check(), "accepted");
}

TEST(InstalledCodeCheck, WithoutIsolationThereIsNoRuntimeWrapperToRecord) {
  const Stack s(R"("enhancedContainerIsolation": {"locked": true, "value": false})");
  ASSERT_EQ(s.check(), "accepted");
  const auto key = core::audit::VerifyKey::load(core::trust::stack_public_key_path(s.layout));
  ASSERT_TRUE(key);
  const auto loaded = core::trust::load_verified_manifest(s.manifest(), *key);
  ASSERT_TRUE(loaded && loaded->has_value());
  ASSERT_EQ((*loaded)->files.size(), 4U);
  EXPECT_EQ((*loaded)->find("runtime-wrapper"), nullptr);
}

TEST(InstalledCodeCheck, AFlippedByteInABinaryRefusesTheStart) {
  const Stack s;
  ASSERT_EQ(s.check(), "accepted");
  const std::string runc = s.bin + "/moat-runc";
  const std::string before = core::trust::sha256_hex(read_text(runc));
  core::trust::testing_support::flip_byte(runc, 3);
  const std::string after = core::trust::sha256_hex(read_text(runc));
  EXPECT_EQ(s.check(), runc + ": content changed (sha256 " + after + " expected " + before + ")\n" + kRefusal);
}

TEST(InstalledCodeCheck, AChangedModeOrOwnerRefusesTheStart) {
  const Stack s;
  ASSERT_EQ(s.check(), "accepted");
  ASSERT_EQ(::chmod((s.bin + "/moatd").c_str(), 0777), 0);
  ASSERT_EQ(::chown((s.bin + "/moatctl").c_str(), 65534, 0), 0);
  EXPECT_EQ(s.check(), s.bin + "/moatctl: owner uid 65534, expected 0\n" + s.bin +
                           "/moatd: mode 0777, expected 0755\n" + kRefusal);
}

TEST(InstalledCodeCheck, AChangedSettingsFileDoesNotStopTheStart) {
  // Settings have their own checks (trust rules, optional signature); the
  // manifest's record of them is for `moatctl verify`.
  const Stack s;
  ASSERT_EQ(s.check(), "accepted");
  write_text(s.dir / "admin.json", "{\"configurationFileVersion\": 2, \"blockDockerLoad\": {\"value\": true}}\n", 0644);
  EXPECT_EQ(s.check(), "accepted");
}

TEST(InstalledCodeCheck, TheBinariesUpRunsMustBeTheRecordedOnes) {
  const Stack s;
  ASSERT_EQ(s.check(), "accepted");
  const std::string other = s.dir / "other-bin";
  core::trust::testing_support::make_fake_binaries(other);
  EXPECT_EQ(s.check(other), "accepted") << "identical copies elsewhere are the recorded code";
  write_text(other + "/moatd", "#!/bin/true\n# another moatd\n", 0755);
  const std::string expected = core::trust::sha256_hex(read_text(s.bin + "/moatd"));
  EXPECT_EQ(s.check(other), other + "/moatd: content changed (sha256 " +
                                core::trust::sha256_hex("#!/bin/true\n# another moatd\n") + " expected " + expected +
                                ")\n" + kRefusal);
}

TEST(InstalledCodeCheck, AForgedManifestRefusesTheStart) {
  const Stack s;
  ASSERT_EQ(s.check(), "accepted");
  write_text(s.bin + "/moat-runc", "#!/bin/true\n# a runtime that does not isolate\n", 0755);
  std::string text = read_text(s.manifest());
  const std::string old_sha = core::trust::sha256_hex("#!/bin/true\n# stand-in for moat-runc\n");
  const auto at = text.find(old_sha);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 64, core::trust::sha256_hex("#!/bin/true\n# a runtime that does not isolate\n"));
  write_text(s.manifest(), text, 0644);
  EXPECT_EQ(s.check(), s.manifest() + ": signature does not verify with the stack's key\n" + kRefusal);
}

TEST(InstalledCodeCheck, RemovingOnlyTheManifestDoesNotMakeTheNextStartRecordAgain) {
  const Stack s;
  ASSERT_EQ(s.check(), "accepted");
  ASSERT_EQ(::unlink(s.manifest().c_str()), 0);
  EXPECT_EQ(s.check(), s.manifest() + ": missing (its signature " + s.manifest() + ".sig is there)\n" + kRefusal);
}

TEST(InstalledCodeCheck, TheAdminCanTurnTheCheckOff) {
  const Stack s(R"("moat": {"verifyInstalledCode": {"locked": true, "value": false}})");
  EXPECT_EQ(s.check(), "accepted");
  EXPECT_FALSE(std::filesystem::exists(s.manifest())) << "nothing is recorded while the check is off";
}

}  // namespace
}  // namespace moat::cli
