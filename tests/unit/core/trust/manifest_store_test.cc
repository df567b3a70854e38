#include "core/trust/manifest_store.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "core/trust/detached_signature.h"
#include "trust_test_support.h"

namespace moat::core::trust {
namespace {

using testing_support::read_text;
using testing_support::TempDir;
using testing_support::write_text;

struct Fixture {
  TempDir dir;
  audit::SigningKey key = audit::SigningKey::generate().value();
  std::string file = dir / "manifest.json";
  Manifest manifest;

  Fixture() {
    testing_support::make_fake_binaries(dir / "bin");
    manifest = build_manifest({dir / "bin", "", "", "2026-11-30T10:00:00.000Z"}).value();
    const auto written = write_signed_manifest(file, manifest, key);
    EXPECT_TRUE(written) << written.error().message;
  }
  Result<std::optional<Manifest>, Difference> load() const {
    return load_verified_manifest(file, key.verify_key());
  }
  std::string refusal() const {
    const auto loaded = load();
    return loaded ? "loaded" : loaded.error().line();
  }
};

TEST(ManifestStore, WritesRootsFilesThatLoadBack) {
  const Fixture f;
  for (const auto& path : {f.file, f.file + ".sig"}) {
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0) << path;
    EXPECT_EQ(info.st_mode & 07777U, 0644U) << path;
    EXPECT_EQ(info.st_uid, 0U) << path;
    EXPECT_EQ(info.st_gid, 0U) << path;
  }
  EXPECT_EQ(read_text(f.file), serialize_manifest(f.manifest));
  const std::string sig = read_text(f.file + ".sig");
  EXPECT_EQ(sig.size(), 89U) << "88 base64 characters and a newline";
  EXPECT_TRUE(f.key.verify_key().verify(read_text(f.file), decode_signature(sig).value()));
  const auto loaded = f.load();
  ASSERT_TRUE(loaded) << loaded.error().line();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->files, f.manifest.files);
}

TEST(ManifestStore, NothingRecordedIsNotAnError) {
  const TempDir dir;
  const auto key = audit::SigningKey::generate().value();
  const auto loaded = load_verified_manifest(dir / "manifest.json", key.verify_key());
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(loaded->has_value());
}

TEST(ManifestStore, AnEditedManifestWithItsOldSignatureIsRefused) {
  const Fixture f;
  std::string text = read_text(f.file);
  // Bless a tampered moat-runc: put the digest of other content in its record.
  const auto at = text.find(f.manifest.files[2].sha256);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 64, sha256_hex("a runtime that does not isolate"));
  write_text(f.file, text, 0644);
  EXPECT_EQ(f.refusal(), f.file + ": signature does not verify with the stack's key");
}

TEST(ManifestStore, ASignatureByAnotherKeyIsRefused) {
  const Fixture f;
  const auto other = audit::SigningKey::generate().value();
  write_text(f.file + ".sig", encode_signature(other.sign(read_text(f.file)).value()), 0644);
  EXPECT_EQ(f.refusal(), f.file + ": signature does not verify with the stack's key");
}

TEST(ManifestStore, AGarbledSignatureIsRefused) {
  const Fixture f;
  write_text(f.file + ".sig", "not base64\n", 0644);
  EXPECT_EQ(f.refusal(), f.file + ": signature does not verify with the stack's key");
  write_text(f.file + ".sig", "", 0644);
  EXPECT_EQ(f.refusal(), f.file + ": signature does not verify with the stack's key");
}

TEST(ManifestStore, AManifestWithoutItsSignatureIsRefused) {
  const Fixture f;
  ASSERT_EQ(::unlink((f.file + ".sig").c_str()), 0);
  EXPECT_EQ(f.refusal(), f.file + ": no signature " + f.file + ".sig; the manifest is not trusted");
}

TEST(ManifestStore, ASignatureWithoutItsManifestIsRefused) {
  const Fixture f;
  ASSERT_EQ(::unlink(f.file.c_str()), 0);
  EXPECT_EQ(f.refusal(), f.file + ": missing (its signature " + f.file + ".sig is there)");
}

TEST(DetachedSignature, OnlyCanonicalBase64OfSixtyFourBytesDecodes) {
  const std::string raw(64, '\x7f');
  const std::string text = encode_signature(raw);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(decode_signature(text), raw);
  EXPECT_EQ(decode_signature(text.substr(0, text.size() - 1)), raw);
  EXPECT_EQ(decode_signature(text + "\n"), std::nullopt);
  EXPECT_EQ(decode_signature(encode_signature(std::string(63, 'x'))), std::nullopt);
  EXPECT_EQ(decode_signature(" " + text), std::nullopt);
  EXPECT_EQ(signature_path_for("/etc/moat/admin-settings.json"), "/etc/moat/admin-settings.json.sig");
}

}  // namespace
}  // namespace moat::core::trust
