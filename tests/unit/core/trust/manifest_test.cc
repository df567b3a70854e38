#include "core/trust/manifest.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include "trust_test_support.h"

namespace moat::core::trust {
namespace {

using testing_support::TempDir;
using testing_support::write_text;

const std::string kSha(64, 'a');

Manifest sample() {
  return Manifest{"2026-11-30T10:00:00.000Z",
                  "/usr/sbin",
                  {{"moatctl", "/usr/sbin/moatctl", kSha, 0, 0, 0755},
                   {"moatd", "/usr/sbin/moatd", kSha, 0, 0, 0755},
                   {"moat-runc", "/usr/sbin/moat-runc", kSha, 0, 0, 0755},
                   {"admin-settings", "/etc/moat/admin-settings.json", kSha, 0, 0, 0644}}};
}

std::string error_of(std::string_view text) {
  const auto parsed = parse_manifest(text);
  return parsed ? "parsed" : parsed.error().message;
}

TEST(Manifest, SerialisesWithSortedKeysAndParsesBack) {
  const std::string text = serialize_manifest(sample());
  EXPECT_TRUE(text.starts_with("{\n  \"binDir\": \"/usr/sbin\",\n  \"createdAt\": \"2026-11-30T10:00:00.000Z\",\n"
                               "  \"files\": [\n    {\n      \"gid\": 0,\n      \"mode\": \"0755\",\n"
                               "      \"path\": \"/usr/sbin/moatctl\",\n      \"role\": \"moatctl\",\n"))
      << text;
  EXPECT_TRUE(text.ends_with("  \"version\": 1\n}\n")) << text;
  const auto parsed = parse_manifest(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->files, sample().files);
  EXPECT_EQ(parsed->bin_dir, "/usr/sbin");
  EXPECT_EQ(serialize_manifest(*parsed), text);
}

TEST(Manifest, RefusesWhatItDoesNotWrite) {
  std::string text = serialize_manifest(sample());
  const auto edited = [&text](const std::string& from, const std::string& to) {
    std::string copy = text;
    const auto at = copy.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return copy.replace(at, from.size(), to);
  };
  EXPECT_EQ(error_of(edited("\"version\": 1", "\"version\": 2")),
            "manifest: version 2 is not 1; write a new one with this moatctl");
  EXPECT_EQ(error_of(edited("\"version\": 1", "\"version\": 1, \"extra\": true")),
            "manifest: expected exactly version, createdAt, binDir and files");
  EXPECT_EQ(error_of(edited("\"role\": \"moatd\"", "\"role\": \"dockerd\"")),
            "manifest: files/1/role: expected one of moatctl, moatd, moat-runc, runtime-wrapper, admin-settings");
  EXPECT_EQ(error_of(edited("\"role\": \"moatd\"", "\"role\": \"moatctl\"")),
            "manifest: files/1/role: moatctl is recorded twice");
  EXPECT_EQ(error_of(edited("\"mode\": \"0755\"", "\"mode\": \"755\"")),
            "manifest: files/0/mode: expected four octal digits starting with 0 (\"0755\")");
  EXPECT_EQ(error_of(edited("\"uid\": 0", "\"uid\": -1")), "manifest: files/0/uid: expected a user or group id");
  EXPECT_EQ(error_of(edited(kSha, std::string(64, 'A'))),
            "manifest: files/0/sha256: expected 64 lowercase hex digits");
  EXPECT_EQ(error_of(edited("\"path\": \"/usr/sbin/moatctl\"", "\"path\": \"moatctl\"")),
            "manifest: files/0/path: expected an absolute path");
  EXPECT_EQ(error_of(edited("\"version\": 1", "\"version\": 1, \"version\": 1")),
            "manifest is not valid JSON at line 38, column 17: duplicate key \"version\"");
  Manifest without_runtime = sample();
  without_runtime.files.erase(without_runtime.files.begin() + 2);
  EXPECT_EQ(error_of(serialize_manifest(without_runtime)), "manifest: files: no record of moat-runc");
}

TEST(Manifest, BuildsFromTheBinariesAndWhatElseExists) {
  const TempDir dir;
  testing_support::make_fake_binaries(dir / "bin");
  write_text(dir / "admin.json", "{}\n", 0644);
  const auto manifest = build_manifest({dir / "bin", dir / "absent-runc", dir / "admin.json", "T"});
  ASSERT_TRUE(manifest) << manifest.error().message;
  ASSERT_EQ(manifest->files.size(), 4U);
  EXPECT_EQ(manifest->files[0].role, "moatctl");
  EXPECT_EQ(manifest->files[1].path, (dir / "bin/moatd").string());
  EXPECT_EQ(manifest->files[2].mode, 0755U);
  EXPECT_EQ(manifest->files[3], (FileRecord{"admin-settings", dir / "admin.json",
                                            "ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356",
                                            ::geteuid(), ::getegid(), 0644}));
  EXPECT_EQ(manifest->find("runtime-wrapper"), nullptr);
  EXPECT_EQ(compare_manifest(*manifest), std::vector<Difference>{});
}

TEST(Manifest, ABinaryThatIsNotThereCannotBeRecorded) {
  const TempDir dir;
  testing_support::make_fake_binaries(dir / "bin");
  ASSERT_EQ(::unlink((dir / "bin/moatd").c_str()), 0);
  const auto manifest = build_manifest({dir / "bin", "", "", "T"});
  ASSERT_FALSE(manifest);
  EXPECT_EQ(manifest.error().message, (dir / "bin/moatd").string() + ": missing; cannot record Moat's moatd");
}

TEST(Manifest, ComparingOnlyBinariesIgnoresTheSettingsFile) {
  const TempDir dir;
  testing_support::make_fake_binaries(dir / "bin");
  write_text(dir / "admin.json", "{}\n", 0644);
  const auto manifest = build_manifest({dir / "bin", "", dir / "admin.json", "T"});
  ASSERT_TRUE(manifest);
  write_text(dir / "admin.json", "{\"configurationFileVersion\": 2}\n", 0600);
  EXPECT_EQ(compare_manifest(*manifest, true), std::vector<Difference>{});
  const auto all = compare_manifest(*manifest);
  ASSERT_EQ(all.size(), 2U);
  EXPECT_TRUE(all[0].reason.starts_with("content changed (sha256 ")) << all[0].reason;
  EXPECT_EQ(all[1], (Difference{dir / "admin.json", "mode 0600, expected 0644"}));
}

}  // namespace
}  // namespace moat::core::trust
