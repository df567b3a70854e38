#include "core/trust/settings_signature.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/trust/detached_signature.h"
#include "trust_test_support.h"

namespace moat::core::trust {
namespace {

using testing_support::read_text;
using testing_support::TempDir;
using testing_support::write_text;

// An admin's signing key pair in a temporary directory and a settings file.
struct Admin {
  TempDir dir;
  std::string settings = dir / "admin-settings.json";
  std::string pinned = dir / "settings-signing-key.pub";
  std::string private_key = dir / "admin-key.pem";

  Admin() {
    const auto paths = audit::create_key_pair(private_key);
    EXPECT_TRUE(paths) << paths.error().message;
    EXPECT_EQ(::rename(paths->public_key.c_str(), pinned.c_str()), 0);
    write_text(settings, "{\"configurationFileVersion\": 2}\n", 0644);
  }
  std::string check() const {
    const auto r = check_settings_signature(settings, pinned);
    return r ? "accepted" : r.error().message;
  }
};

TEST(SettingsSignature, SignedSettingsAreAccepted) {
  const Admin a;
  const auto sig = sign_settings_file(a.settings, a.private_key);
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_EQ(*sig, a.settings + ".sig");
  const std::string text = read_text(*sig);
  EXPECT_EQ(text.size(), 89U);
  EXPECT_EQ(text.back(), '\n');
  struct stat info {};
  ASSERT_EQ(::stat(sig->c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777U, 0644U);
  EXPECT_EQ(a.check(), "accepted");
}

TEST(SettingsSignature, ASettingsFileChangedAfterSigningIsRefused) {
  const Admin a;
  ASSERT_TRUE(sign_settings_file(a.settings, a.private_key));
  write_text(a.settings, "{\"configurationFileVersion\": 2, \"blockDockerLoad\": {\"value\": false}}\n", 0644);
  EXPECT_EQ(a.check(), a.settings + ": signature " + a.settings + ".sig does not verify with the pinned key " +
                           a.pinned);
}

TEST(SettingsSignature, ASignatureByAnotherKeyIsRefused) {
  const Admin a;
  const TempDir other;
  ASSERT_TRUE(audit::create_key_pair(other / "key.pem"));
  ASSERT_TRUE(sign_settings_file(a.settings, other / "key.pem"));
  EXPECT_EQ(a.check(), a.settings + ": signature " + a.settings + ".sig does not verify with the pinned key " +
                           a.pinned);
  write_text(a.settings + ".sig", "garbage\n", 0644);
  EXPECT_EQ(a.check(), a.settings + ": signature " + a.settings + ".sig does not verify with the pinned key " +
                           a.pinned);
}

TEST(SettingsSignature, UnsignedSettingsAreRefusedOnceAKeyIsPinned) {
  const Admin a;
  EXPECT_EQ(a.check(), a.settings + ": no signature " + a.settings + ".sig, and settings must be signed (pinned key " +
                           a.pinned + ")");
}

TEST(SettingsSignature, WithoutAPinnedKeyNothingIsRequired) {
  const Admin a;
  ASSERT_EQ(::unlink(a.pinned.c_str()), 0);
  EXPECT_EQ(a.check(), "accepted");
}

TEST(SettingsSignature, NoSettingsFileNeedsNoSignature) {
  const Admin a;
  ASSERT_EQ(::unlink(a.settings.c_str()), 0);
  EXPECT_EQ(a.check(), "accepted");
}

TEST(SettingsSignature, APinnedKeyOthersCouldReplaceIsRefused) {
  const Admin a;
  ASSERT_TRUE(sign_settings_file(a.settings, a.private_key));
  ASSERT_EQ(::chmod(a.pinned.c_str(), 0666), 0);
  EXPECT_EQ(a.check(), a.pinned + ": the pinned settings key cannot be used: refused as tampered: " + a.pinned +
                           " is writable by group or others (mode 0666)");
}

TEST(SettingsSignature, APinnedKeyThatIsNotAKeyIsRefused) {
  const Admin a;
  write_text(a.pinned, "not a key\n", 0644);
  EXPECT_EQ(a.check(), a.pinned + ": the pinned settings key cannot be used: not a PEM public key "
                                  "(expected \"BEGIN PUBLIC KEY\")");
}

TEST(SettingsSignature, SigningNeedsAPrivateKeyOnlyTheSignerReads) {
  const Admin a;
  ASSERT_EQ(::chmod(a.private_key.c_str(), 0644), 0);
  const auto sig = sign_settings_file(a.settings, a.private_key);
  ASSERT_FALSE(sig);
  EXPECT_EQ(sig.error().message, "private key " + a.private_key +
                                     " is accessible by group or others (mode 0644); run chmod 600 " + a.private_key);
}

TEST(SettingsSignature, ThePinnedKeyFollowsTheLayout) {
  stack::Layout installed{"/run/moat", "/var/lib/moat", "/etc/moat/admin-settings.json"};
  EXPECT_EQ(pinned_settings_key_path(installed), "/etc/moat/settings-signing-key.pub");
  stack::Layout rooted{"/tmp/stack", "/tmp/stack", "/tmp/admin.json"};
  EXPECT_EQ(pinned_settings_key_path(rooted), "/tmp/stack/settings-signing-key.pub");
}

}  // namespace
}  // namespace moat::core::trust
