#include "core/audit/signing_key.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "audit_test_support.h"

namespace moat::core::audit {
namespace {

using testing_support::TempDir;

mode_t mode_of(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777U;
}

TEST(SigningKey, CreatesAPrivateKeyOnlyTheOwnerCanReadAndAPublicKeyBesideIt) {
  const TempDir dir;
  const mode_t old_umask = ::umask(0);  // the modes must not depend on the umask
  const auto paths = create_key_pair(dir / "audit-signing.key");
  ::umask(old_umask);
  ASSERT_TRUE(paths) << paths.error().message;
  EXPECT_EQ(paths->private_key, dir / "audit-signing.key");
  EXPECT_EQ(paths->public_key, dir / "audit-signing.key.pub");
  EXPECT_EQ(mode_of(paths->private_key), 0600U);
  EXPECT_EQ(mode_of(paths->public_key), 0644U);
  struct stat info {};
  ASSERT_EQ(::stat(paths->private_key.c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, ::geteuid());
  EXPECT_NE(testing_support::read_text(paths->private_key).find("-----BEGIN PRIVATE KEY-----"),
            std::string::npos);
  EXPECT_NE(testing_support::read_text(paths->public_key).find("-----BEGIN PUBLIC KEY-----"),
            std::string::npos);
}

TEST(SigningKey, LoadedKeysSignAndVerify) {
  const TempDir dir;
  const auto paths = create_key_pair(dir / "k");
  ASSERT_TRUE(paths) << paths.error().message;
  const auto signer = SigningKey::load(paths->private_key);
  ASSERT_TRUE(signer) << signer.error().message;
  const auto verifier = VerifyKey::load(paths->public_key);
  ASSERT_TRUE(verifier) << verifier.error().message;

  const auto signature = signer->sign("decision 1");
  ASSERT_TRUE(signature) << signature.error().message;
  EXPECT_EQ(signature->size(), kSignatureBytes);
  EXPECT_TRUE(verifier->verify("decision 1", *signature));
  EXPECT_TRUE(signer->verify_key().verify("decision 1", *signature));
  EXPECT_FALSE(verifier->verify("decision 2", *signature));
  std::string flipped = *signature;
  flipped[10] = static_cast<char>(flipped[10] ^ 0x01);
  EXPECT_FALSE(verifier->verify("decision 1", flipped));
  EXPECT_FALSE(verifier->verify("decision 1", signature->substr(0, 63)));
  // Ed25519 is deterministic: the same message gives the same signature.
  EXPECT_EQ(signer->sign("decision 1").value(), *signature);
}

TEST(SigningKey, AnotherKeysSignatureDoesNotVerify) {
  const auto one = SigningKey::generate();
  const auto other = SigningKey::generate();
  ASSERT_TRUE(one && other);
  const auto signature = one->sign("m").value();
  EXPECT_FALSE(other->verify_key().verify("m", signature));
}

TEST(SigningKey, PublicPemRoundTrips) {
  const auto key = SigningKey::generate().value();
  const auto pem = key.verify_key().pem();
  ASSERT_TRUE(pem) << pem.error().message;
  const auto reloaded = VerifyKey::from_pem(*pem);
  ASSERT_TRUE(reloaded) << reloaded.error().message;
  EXPECT_TRUE(reloaded->verify("m", key.sign("m").value()));
}

TEST(SigningKey, NeverOverwritesAnExistingKey) {
  const TempDir dir;
  ASSERT_TRUE(create_key_pair(dir / "k"));
  const std::string before = testing_support::read_text(dir / "k");
  const auto again = create_key_pair(dir / "k");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, AuditErrc::kKey);
  EXPECT_EQ(again.error().message, "refusing to overwrite existing file " + (dir / "k").string() +
                                       "; remove it first if a new key is really wanted");
  EXPECT_EQ(testing_support::read_text(dir / "k"), before);
}

TEST(SigningKey, AnExistingPublicKeyStopsCreationBeforeAnythingIsWritten) {
  const TempDir dir;
  testing_support::write_text(dir / "k.pub", "old");
  const auto created = create_key_pair(dir / "k");
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().message, "refusing to overwrite existing file " +
                                         (dir / "k.pub").string() +
                                         "; remove it first if a new key is really wanted");
  EXPECT_FALSE(std::filesystem::exists(dir / "k"));
}

TEST(SigningKey, RefusesAPrivateKeyOthersCanRead) {
  const TempDir dir;
  ASSERT_TRUE(create_key_pair(dir / "k"));
  ASSERT_EQ(::chmod((dir / "k").c_str(), 0640), 0);
  const auto loaded = SigningKey::load(dir / "k");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, AuditErrc::kKey);
  const std::string name = (dir / "k").string();
  EXPECT_EQ(loaded.error().message, "private key " + name +
                                        " is accessible by group or others (mode 0640); run "
                                        "chmod 600 " +
                                        name);
}

TEST(SigningKey, RefusesAPrivateKeyOwnedBySomeoneElse) {
  if (::geteuid() != 0) GTEST_SKIP() << "giving a file away needs root";
  const TempDir dir;
  ASSERT_TRUE(create_key_pair(dir / "k"));
  ASSERT_EQ(::chown((dir / "k").c_str(), 65534, 65534), 0);
  const auto loaded = SigningKey::load(dir / "k");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, AuditErrc::kKey);
  EXPECT_EQ(loaded.error().message, "private key " + (dir / "k").string() +
                                        " is owned by uid 65534, not by uid 0 that signs with "
                                        "it; chown it to the signer");
}

TEST(SigningKey, RefusesASymlinkedKey) {
  const TempDir dir;
  ASSERT_TRUE(create_key_pair(dir / "k"));
  std::filesystem::create_symlink(dir / "k", dir / "link");
  const auto loaded = SigningKey::load(dir / "link");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, AuditErrc::kKey);
  EXPECT_EQ(loaded.error().sys_errno, ELOOP);
}

TEST(SigningKey, RefusesWhatIsNotAnEd25519Key) {
  const TempDir dir;
  testing_support::write_text(dir / "k", "not a key");
  ASSERT_EQ(::chmod((dir / "k").c_str(), 0600), 0);
  const auto loaded = SigningKey::load(dir / "k");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().message,
            "private key " + (dir / "k").string() + " is not an unencrypted PEM private key");
  const auto pub =
      VerifyKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
  ASSERT_FALSE(pub);
  EXPECT_EQ(pub.error().message, "not a PEM public key (expected \"BEGIN PUBLIC KEY\")");
  const auto missing = VerifyKey::load(dir / "absent.pub");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().sys_errno, ENOENT);
}

}  // namespace
}  // namespace moat::core::audit
