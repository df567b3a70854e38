#include "core/image/build_context.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "support/temp_dir.h"
#include "support/tar_archive.h"

namespace moat::core::image {
namespace {

// Archives are written byte by byte (support/tar_archive.h), so each case says
// exactly what the engine's tar reader would see; the last tests run GNU tar
// for real output.
using namespace testing_support::tar;

std::string read_ok(std::string_view bytes, std::string_view dockerfile = "") {
  const auto result = dockerfile_from_context(bytes, dockerfile);
  EXPECT_TRUE(result) << (result ? std::string() : result.error().message);
  return result ? *result : "<error>";
}

std::string error_of(std::string_view bytes, std::string_view dockerfile = "") {
  const auto result = dockerfile_from_context(bytes, dockerfile);
  EXPECT_FALSE(result) << "read " << (result ? *result : std::string());
  return result ? "<read>" : result.error().message;
}

constexpr std::string_view kNotFound =
    "no file named \"Dockerfile\" or \"dockerfile\" in the build context";

TEST(BuildContextTest, ReadsTheDockerfile) {
  const std::string bytes =
      archive({entry("app/", '5'), file("app/main.go", "package main\n"),
               file("Dockerfile", "FROM busybox\nRUN true\n")});
  EXPECT_EQ(read_ok(bytes), "FROM busybox\nRUN true\n");
  EXPECT_EQ(read_ok(bytes, "Dockerfile"), "FROM busybox\nRUN true\n");
  EXPECT_EQ(read_ok(bytes, "app/main.go"), "package main\n");
}

TEST(BuildContextTest, FallsBackToLowerCaseOnlyForTheDefaultName) {
  const std::string bytes = archive({file("dockerfile", "FROM lower\n")});
  EXPECT_EQ(read_ok(bytes), "FROM lower\n");
  EXPECT_EQ(read_ok(bytes, "Dockerfile"), "FROM lower\n");
  EXPECT_EQ(error_of(bytes, "./Dockerfile"),
            "no file named \"Dockerfile\" in the build context");
  // With both present, "Dockerfile" is used.
  EXPECT_EQ(read_ok(archive({file("dockerfile", "lower"), file("Dockerfile", "upper")})), "upper");
}

TEST(BuildContextTest, RefusesAContextWithoutTheFile) {
  EXPECT_EQ(error_of(""), kNotFound);
  EXPECT_EQ(error_of(std::string(2 * kBlock, '\0')), kNotFound);
  EXPECT_EQ(error_of(archive({file("README", "x")})), kNotFound);
  EXPECT_EQ(error_of(archive({file("Dockerfile", "x")}), "ci/Dockerfile"),
            "no file named \"ci/Dockerfile\" in the build context");
}

TEST(BuildContextTest, CleansEntryNamesAndTheWantedName) {
  EXPECT_EQ(read_ok(archive({file("./Dockerfile", "dot")})), "dot");
  EXPECT_EQ(read_ok(archive({file("/Dockerfile", "slash")})), "slash");
  EXPECT_EQ(read_ok(archive({file(".//./Dockerfile", "both")})), "both");
  const std::string nested = archive({file("ci//docker/./Dockerfile", "nested")});
  EXPECT_EQ(read_ok(nested, "ci/docker/Dockerfile"), "nested");
  EXPECT_EQ(read_ok(nested, "./ci/x/../docker//Dockerfile"), "nested");
  EXPECT_EQ(read_ok(nested, "/ci/docker/Dockerfile"), "nested");
  EXPECT_EQ(read_ok(archive({file("ci/x/../Dockerfile", "dotdot")}), "ci/Dockerfile"), "dotdot");
}

TEST(BuildContextTest, RefusesNamesOutsideTheContext) {
  const std::string bytes = archive({file("Dockerfile", "x")});
  EXPECT_EQ(error_of(bytes, "../Dockerfile"),
            "dockerfile \"../Dockerfile\" is outside the build context");
  EXPECT_EQ(error_of(bytes, "a/../../Dockerfile"),
            "dockerfile \"a/../../Dockerfile\" is outside the build context");
  EXPECT_EQ(error_of(bytes, "/"), "dockerfile \"/\" names the build context itself, not a file");
  EXPECT_EQ(error_of(bytes, "a/.."),
            "dockerfile \"a/..\" names the build context itself, not a file");
  EXPECT_EQ(error_of(archive({file("../etc/passwd", "x"), file("Dockerfile", "y")})),
            "tar entry \"../etc/passwd\" is outside the build context");
  // Bytes a terminal would act on are escaped in messages.
  EXPECT_EQ(error_of(archive({file("x/../../a\nb\"", "x")})),
            "tar entry \"x/../../a\\x0ab\\\"\" is outside the build context");
}

TEST(BuildContextTest, TheRootMayOnlyBeADirectory) {
  EXPECT_EQ(read_ok(archive({entry("./", '5'), file("./Dockerfile", "x")})), "x");
  EXPECT_EQ(error_of(archive({entry("/", '2', "/etc"), file("Dockerfile", "x")})),
            "tar entry \"/\" is a symbolic link in place of the build context's root, which Moat "
            "cannot check");
  EXPECT_EQ(error_of(archive({file(".", "x")})),
            "tar entry \".\" is a regular file in place of the build context's root, which Moat "
            "cannot check");
}

TEST(BuildContextTest, TheLastEntryWithTheNameWins) {
  EXPECT_EQ(read_ok(archive({file("Dockerfile", "first"), file("./Dockerfile", "second")})),
            "second");
  EXPECT_EQ(read_ok(archive({entry("Dockerfile", '2', "elsewhere"), file("Dockerfile", "file")})),
            "file");
  EXPECT_EQ(read_ok(archive({entry("Dockerfile/", '5'), file("Dockerfile", "file")})), "file");
  EXPECT_EQ(error_of(archive({file("Dockerfile", "file"), entry("/Dockerfile", '2', "other")})),
            "the Dockerfile \"Dockerfile\" is a symbolic link, not a regular file Moat can check");
  // A "Dockerfile" that is not a regular file does not fall back either.
  EXPECT_EQ(error_of(archive({file("dockerfile", "lower"), entry("Dockerfile", '5')})),
            "the Dockerfile \"Dockerfile\" is a directory, not a regular file Moat can check");
}

TEST(BuildContextTest, AnEntryBelowTheNameMakesItADirectory) {
  // Extraction creates "Dockerfile" as the parent of "Dockerfile/x"; the
  // engine then finds a directory and does not fall back.
  EXPECT_EQ(error_of(archive({file("dockerfile", "lower"), file("Dockerfile/x", "x")})),
            "the Dockerfile \"Dockerfile\" is a directory, not a regular file Moat can check");
  EXPECT_EQ(error_of(archive({file("dockerfile/a/b", "x")})),
            "the Dockerfile \"dockerfile\" is a directory, not a regular file Moat can check");
  // A later file of that name replaces the directory.
  EXPECT_EQ(read_ok(archive({file("ci/Dockerfile/x", "x"), file("ci/Dockerfile", "later")}),
                    "ci/Dockerfile"),
            "later");
  // An entry below an existing file fails the engine's extraction (not a
  // directory), so the answer there does not matter; the file is kept.
  EXPECT_EQ(read_ok(archive({file("Dockerfile", "earlier"), file("Dockerfile/x", "x")})),
            "earlier");
}

TEST(BuildContextTest, RefusesADockerfileThatIsNotARegularFile) {
  const auto refusal = [](char type, std::string_view kind) {
    return error_of(archive({file("real", "x"), entry("Dockerfile", type, "real")})) ==
           "the Dockerfile \"Dockerfile\" is " + std::string(kind) +
               ", not a regular file Moat can check";
  };
  EXPECT_TRUE(refusal('1', "a hard link"));
  EXPECT_TRUE(refusal('2', "a symbolic link"));
  EXPECT_TRUE(refusal('3', "a character device"));
  EXPECT_TRUE(refusal('4', "a block device"));
  EXPECT_TRUE(refusal('5', "a directory"));
  EXPECT_TRUE(refusal('6', "a fifo"));
  EXPECT_TRUE(refusal('V', "an entry of tar type 'V'"));
  EXPECT_TRUE(refusal('\x01', "an entry of tar type 0x01"));
  EXPECT_EQ(error_of(archive({file("dockerfile", "x"), entry("dockerfile", '2', "x")})),
            "the Dockerfile \"dockerfile\" is a symbolic link, not a regular file Moat can check");
}

TEST(BuildContextTest, RegularFileTypes) {
  EXPECT_EQ(read_ok(archive({member({.name = "Dockerfile", .data = "nul", .type = '\0'})})),
            "nul");
  EXPECT_EQ(read_ok(archive({member({.name = "Dockerfile", .data = "contiguous", .type = '7'})})),
            "contiguous");
  // Go turns a '\0' entry whose name ends in '/' into a directory: its size
  // is then ignored and the next header follows at once.
  const std::string dir = header({.name = "Dockerfile/", .type = '\0', .size = kBlock});
  EXPECT_EQ(error_of(dir + std::string(2 * kBlock, '\0')),
            "the Dockerfile \"Dockerfile\" is a directory, not a regular file Moat can check");
  EXPECT_EQ(read_ok(archive({dir + file("Dockerfile", "after")})), "after");
}

TEST(BuildContextTest, LinksAndDirectoriesCarryNoData) {
  const std::string link = header({.name = "link", .type = '2', .linkname = "x", .size = 1000});
  EXPECT_EQ(read_ok(archive({link + file("Dockerfile", "after link")})), "after link");
}

TEST(BuildContextTest, RefusesAPathThroughALink) {
  // The builder opens the Dockerfile following links in its path.
  EXPECT_EQ(error_of(archive({entry("sub", '2', "real"), file("real/Dockerfile", "x")}),
                     "sub/Dockerfile"),
            "the Dockerfile \"sub/Dockerfile\" is reached through the link \"sub\", which the "
            "builder would follow and Moat cannot check");
  EXPECT_EQ(error_of(archive({file("sub/Dockerfile", "x"), entry("./sub", '1', "other")}),
                     "sub/Dockerfile"),
            "the Dockerfile \"sub/Dockerfile\" is reached through the link \"sub\", which the "
            "builder would follow and Moat cannot check");
  // A link elsewhere, or one whose name merely starts the same, is fine.
  EXPECT_EQ(read_ok(archive({entry("su", '2', "x"), entry("sub/b", '2', "x"),
                             file("sub/Dockerfile", "ok")}),
                    "sub/Dockerfile"),
            "ok");
}

TEST(BuildContextTest, RefusesEntriesWrittenThroughALink) {
  // Extraction would write the second Dockerfile over the first.
  EXPECT_EQ(error_of(archive({file("Dockerfile", "FROM good"), entry("a", '2', "."),
                              file("a/Dockerfile", "FROM evil")})),
            "tar entry \"a/Dockerfile\" would be written through the link \"a\", which Moat "
            "cannot check");
  EXPECT_EQ(error_of(archive({entry("a/b", '2', "/"), file("./a/b/c/d", "x")})),
            "tar entry \"./a/b/c/d\" would be written through the link \"a/b\", which Moat "
            "cannot check");
  // An entry written before the link is not.
  EXPECT_EQ(read_ok(archive({file("a/x", "x"), entry("a", '2', "."), file("Dockerfile", "ok")})),
            "ok");
}

TEST(BuildContextTest, RefusesCompressedContexts) {
  const auto message = [](std::string_view format) {
    return "the build context is compressed (" + std::string(format) +
           "); Moat reads the Dockerfile from an uncompressed context only: build without "
           "--compress";
  };
  EXPECT_EQ(error_of(std::string("\x1f\x8b\x08\0\0\0\0\0", 8)), message("gzip"));
  EXPECT_EQ(error_of("BZh91AY&SY"), message("bzip2"));
  EXPECT_EQ(error_of(std::string("\xfd" "7zXZ\0\0\0", 8)), message("xz"));
  EXPECT_EQ(error_of(std::string("\x28\xb5\x2f\xfd\0\0", 6)), message("zstd"));
}

TEST(BuildContextTest, RefusesWhatIsNotATar) {
  EXPECT_EQ(error_of("FROM busybox\n"),
            "the build context is not a tar archive Moat can read (incomplete header at byte 0)");
  EXPECT_EQ(error_of(std::string(kBlock, 'a')),
            "the build context is not a tar archive Moat can read (bad header at byte 0)");
  std::string bytes = archive({file("README", "x"), file("Dockerfile", "y")});
  bytes[1024 + 10] = 'X';  // in the second header's name, after its checksum was written
  EXPECT_EQ(error_of(bytes),
            "the build context is not a tar archive Moat can read (bad header at byte 1024)");
}

TEST(BuildContextTest, AcceptsTheSignedChecksum) {
  std::string first = header({.name = "caf\xc3\xa9.txt"});
  seal(first, /*signed_sum=*/true);
  EXPECT_EQ(read_ok(archive({first, file("Dockerfile", "signed")})), "signed");
}

TEST(BuildContextTest, ChecksNumericFieldsAsGoDoes) {
  std::string block = header({.name = "Dockerfile"});
  put_text(block, 100, "07x4");  // mode
  seal(block);
  EXPECT_EQ(error_of(block + std::string(2 * kBlock, '\0')),
            "the build context is not a tar archive Moat can read (bad header at byte 0)");
  // Spaces and NULs around octal digits are fine.
  block = header({.name = "Dockerfile", .data = "abc"});
  put_text(block, 124, std::string_view(" \0  3 \0\0\0\0\0\0", 12));
  seal(block);
  EXPECT_EQ(read_ok(archive({block + padded("abc")})), "abc");
}

TEST(BuildContextTest, ReadsBase256Sizes) {
  std::string block = header({.name = "Dockerfile"});
  put_text(block, 124, std::string_view("\x80\0\0\0\0\0\0\0\0\0\0\x07", 12));
  seal(block);
  EXPECT_EQ(read_ok(archive({block + padded("FROM x\n")})), "FROM x\n");

  put_text(block, 124, std::string_view("\x80\0\0\0\0\0\0\0\x01\0\0\0", 12));  // 16 MiB
  seal(block);
  EXPECT_EQ(error_of(archive({block + padded("FROM x\n")})),
            "the build context is not a tar archive Moat can read (entry at byte 0 runs past the "
            "end of the data)");

  put_text(block, 124, std::string_view("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xf0", 12));
  seal(block);
  EXPECT_EQ(error_of(archive({block})),
            "the build context is not a tar archive Moat can read (bad size in the header at "
            "byte 0)");

  put_text(block, 124, std::string_view("\x80\x01\0\0\0\0\0\0\0\0\0\0", 12));  // over 2^63
  seal(block);
  EXPECT_EQ(error_of(archive({block})),
            "the build context is not a tar archive Moat can read (bad header at byte 0)");
}

TEST(BuildContextTest, UsesThePrefixOnlyWhereGoDoes) {
  const std::string data = "prefixed";
  // ustar: prefix "/" name.
  const std::string ustar =
      archive({member({.name = "Dockerfile", .data = data, .prefix = "sub"})});
  EXPECT_EQ(read_ok(ustar, "sub/Dockerfile"), data);
  EXPECT_EQ(error_of(ustar), kNotFound);
  // GNU: the area holds times; a valid octal time there is no prefix.
  const std::string gnu_times = archive({member(
      {.name = "Dockerfile", .data = data, .prefix = "00000000000", .magic = kGnuMagic})});
  EXPECT_EQ(read_ok(gnu_times), data);
  // ...but Go reads an unparsable one as a prefix, as old Go wrote it there.
  const std::string gnu_text =
      archive({member({.name = "Dockerfile", .data = data, .prefix = "sub", .magic = kGnuMagic})});
  EXPECT_EQ(read_ok(gnu_text, "sub/Dockerfile"), data);
  EXPECT_EQ(error_of(gnu_text), kNotFound);
  // V7: no prefix at all.
  const std::string v7 =
      archive({member({.name = "Dockerfile", .data = data, .prefix = "sub", .magic = kNoMagic})});
  EXPECT_EQ(read_ok(v7), data);
}

TEST(BuildContextTest, AppliesGnuLongNames) {
  const std::string name = std::string(150, 'd') + "/Dockerfile";
  EXPECT_EQ(read_ok(archive({long_name(name), file(name.substr(0, 100), "long")}), name), "long");
  EXPECT_EQ(read_ok(archive({long_name("Dockerfile"), file("decoy", "renamed")})), "renamed");
  // A long link name ('K') changes nothing else.
  EXPECT_EQ(read_ok(archive({member({.name = "././@LongLink", .data = "x", .type = 'K'}),
                             file("Dockerfile", "k")})),
            "k");
  EXPECT_EQ(error_of(archive({member({.name = "././@LongLink", .type = 'L', .size = 1 << 21})})),
            "the build context is not a tar archive Moat can read (extended header at byte 0 is "
            "larger than 1 MiB)");
}

TEST(BuildContextTest, AppliesPaxPathAndSize) {
  EXPECT_EQ(read_ok(archive({pax(pax_record("path", "Dockerfile")), file("decoy", "pax path")})),
            "pax path");
  // An empty path record keeps the header's name.
  EXPECT_EQ(read_ok(archive({pax(pax_record("path", "")), file("Dockerfile", "kept")})), "kept");
  // A GNU long name beats the pax path.
  EXPECT_EQ(read_ok(archive({pax(pax_record("path", "decoy")), long_name("Dockerfile"),
                             file("decoy2", "long name wins")})),
            "long name wins");
  // The pax size replaces the header's, and decides where the next header is.
  const std::string sized = header({.name = "Dockerfile", .size = 0}) + padded("FROM pax\n");
  EXPECT_EQ(read_ok(archive({pax(pax_record("size", "9")), sized})), "FROM pax\n");
  EXPECT_EQ(error_of(archive({pax(pax_record("size", "9x")), sized})),
            "the build context is not a tar archive Moat can read (bad pax size for the entry at "
            "byte 1024)");
  // A second pax header replaces the first one entirely.
  EXPECT_EQ(error_of(archive({pax(pax_record("path", "Dockerfile")),
                              pax(pax_record("comment", "x")), file("decoy", "x")})),
            kNotFound);
  EXPECT_EQ(error_of(archive({pax("11 path=x\n"), file("Dockerfile", "x")})),
            "the build context is not a tar archive Moat can read (bad pax extended header at "
            "byte 0)");
  EXPECT_EQ(error_of(archive({pax(pax_record("path", std::string("a\0b", 3)))})),
            "the build context is not a tar archive Moat can read (bad pax extended header at "
            "byte 0)");
}

TEST(BuildContextTest, PaxGlobalHeaders) {
  EXPECT_EQ(read_ok(archive({pax(pax_record("comment", "git"), 'g'), file("Dockerfile", "g")})),
            "g");
  EXPECT_EQ(error_of(archive({pax(pax_record("path", "Dockerfile"), 'g'), file("x", "y")})),
            "the build context has a pax global header at byte 0 that sets a path, which Moat "
            "does not support");
  // A global header ends what earlier 'L' and 'x' headers started.
  EXPECT_EQ(error_of(archive({long_name("Dockerfile"), pax(pax_record("comment", "x"), 'g'),
                              file("decoy", "x")})),
            kNotFound);
  // Engines differ on whether one removes what is at its name: refused.
  EXPECT_EQ(error_of(archive({file("Dockerfile", "x"),
                              member({.name = "Dockerfile", .data = pax_record("comment", "x"),
                                      .type = 'g'})})),
            "the Dockerfile \"Dockerfile\" is a pax global header, not a regular file Moat can "
            "check");
}

TEST(BuildContextTest, RefusesSparseFiles) {
  EXPECT_EQ(error_of(archive({member({.name = "Dockerfile", .data = "x", .type = 'S'})})),
            "the build context has a sparse file at byte 0, which Moat does not support");
  EXPECT_EQ(error_of(archive({pax(pax_record("GNU.sparse.major", "1") +
                                  pax_record("GNU.sparse.minor", "0")),
                              file("Dockerfile", "x")})),
            "the build context has a sparse file at byte 1024, which Moat does not support");
}

TEST(BuildContextTest, WhereTheArchiveMayEnd) {
  const std::string one = file("Dockerfile", "FROM x\n");
  // No zero blocks, one zero block, or padding cut short: all end the data.
  EXPECT_EQ(read_ok(one), "FROM x\n");
  EXPECT_EQ(read_ok(one + std::string(kBlock, '\0')), "FROM x\n");
  EXPECT_EQ(read_ok(header({.name = "Dockerfile", .data = "FROM x\n"}) + "FROM x\n"), "FROM x\n");
  // What follows two zero blocks is not read.
  EXPECT_EQ(read_ok(archive({one}) + file("Dockerfile", "ignored")), "FROM x\n");
  EXPECT_EQ(error_of(one + std::string(kBlock, '\0') + file("Dockerfile", "y")),
            "the build context is not a tar archive Moat can read (bad header at byte 1536)");
  EXPECT_EQ(error_of(one + std::string(kBlock + 100, '\0')),
            "the build context is not a tar archive Moat can read (incomplete header at byte "
            "1536)");
  EXPECT_EQ(error_of(one + std::string(100, '\0')),
            "the build context is not a tar archive Moat can read (incomplete header at byte "
            "1024)");
  EXPECT_EQ(error_of(header({.name = "Dockerfile", .size = 100}) + std::string(50, 'x')),
            "the build context is not a tar archive Moat can read (entry at byte 0 runs past the "
            "end of the data)");
}

TEST(BuildContextTest, CapsTheDockerfileAt1MiB) {
  const std::string at_limit(kMaxDockerfileBytes, '#');
  EXPECT_EQ(read_ok(archive({file("Dockerfile", at_limit)})).size(), kMaxDockerfileBytes);
  EXPECT_EQ(error_of(archive({file("Dockerfile", at_limit + "#")})),
            "the Dockerfile \"Dockerfile\" is 1048577 bytes; the engine would read it, but Moat "
            "checks Dockerfiles of up to 1 MiB only");
  // Other files may be larger.
  EXPECT_EQ(read_ok(archive({file("data.bin", at_limit + "#"), file("Dockerfile", "small")})),
            "small");
}

// ---- real GNU tar output ----

using moat::testing_support::TempDir;

void write_file(const TempDir& dir, const std::string& name, std::string_view text) {
  const std::filesystem::path file = dir / name;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

// `tar OPTIONS -C dir -cf - .`, as bytes.
std::string gnu_tar(const TempDir& dir, const std::string& options) {
  const std::string command =
      "tar " + options + " -C '" + dir.path().string() + "' -cf - . 2>/dev/null";
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[8192];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  EXPECT_EQ(pclose(pipe), 0) << command;
  return out;
}

const std::string kLongDir = std::string(60, 'a') + "/" + std::string(70, 'b');

TEST(BuildContextGnuTarTest, GnuFormatWithLongNames) {
  TempDir dir;
  write_file(dir, "Dockerfile", "FROM root\n");
  write_file(dir, kLongDir + "/Dockerfile", "FROM long\n");
  const std::string bytes = gnu_tar(dir, "--format=gnu --sort=name");
  ASSERT_GT(bytes.size(), 3 * kBlock);
  EXPECT_NE(bytes.find("././@LongLink"), std::string::npos);  // a real 'L' entry
  EXPECT_EQ(read_ok(bytes), "FROM root\n");
  EXPECT_EQ(read_ok(bytes, kLongDir + "/Dockerfile"), "FROM long\n");
}

TEST(BuildContextGnuTarTest, PaxFormatWithLongNames) {
  TempDir dir;
  write_file(dir, "dockerfile", "FROM lower\n");
  write_file(dir, kLongDir + "/" + std::string(120, 'c') + "/Dockerfile", "FROM pax\n");
  const std::string bytes = gnu_tar(dir, "--format=pax --sort=name");
  EXPECT_NE(bytes.find(" path=./" + kLongDir), std::string::npos);  // a real pax path
  EXPECT_EQ(read_ok(bytes), "FROM lower\n");
  EXPECT_EQ(read_ok(bytes, kLongDir + "/" + std::string(120, 'c') + "/Dockerfile"), "FROM pax\n");
}

TEST(BuildContextGnuTarTest, UstarFormatWithAPrefix) {
  TempDir dir;
  write_file(dir, kLongDir + "/Dockerfile", "FROM ustar\n");
  const std::string bytes = gnu_tar(dir, "--format=ustar");
  EXPECT_EQ(read_ok(bytes, kLongDir + "/Dockerfile"), "FROM ustar\n");
  EXPECT_EQ(error_of(bytes), kNotFound);
}

TEST(BuildContextGnuTarTest, LinksFromRealTar) {
  TempDir dir;
  write_file(dir, "A.txt", "FROM hardlinked\n");
  std::error_code error;
  std::filesystem::create_hard_link(dir.path() / "A.txt", dir.path() / "Dockerfile", error);
  ASSERT_FALSE(error) << error.message();
  // Sorted, the Dockerfile comes second and is stored as a hard link to A.txt.
  EXPECT_EQ(error_of(gnu_tar(dir, "--sort=name")),
            "the Dockerfile \"Dockerfile\" is a hard link, not a regular file Moat can check");

  std::filesystem::remove(dir.path() / "Dockerfile");
  std::filesystem::create_symlink("A.txt", dir.path() / "Dockerfile", error);
  ASSERT_FALSE(error) << error.message();
  EXPECT_EQ(error_of(gnu_tar(dir, "--sort=name")),
            "the Dockerfile \"Dockerfile\" is a symbolic link, not a regular file Moat can check");
}

}  // namespace
}  // namespace moat::core::image
