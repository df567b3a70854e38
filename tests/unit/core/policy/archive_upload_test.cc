#include "core/policy/archive_upload.h"

#include <gtest/gtest.h>

#include <string>

#include "support/tar_archive.h"

namespace moat::core::policy {
namespace {

namespace t = testing_support::tar;

// Feeds `archive` in pieces of `piece` bytes, as a client may send it, and
// returns what reached the engine and the refusal, if any.
struct Outcome {
  std::string forwarded;
  std::string refusal;  // Decision::message(), "" when all went through
};

Outcome upload(const std::string& archive, std::size_t piece = 4096) {
  ArchiveUploadCheck check;
  Outcome out;
  for (std::size_t at = 0; at < archive.size() || at == 0; at += piece) {
    const bool last = at + piece >= archive.size();
    auto passed = check.feed(std::string_view(archive).substr(at, piece), last);
    if (!passed) {
      out.refusal = passed.error().message();
      return out;
    }
    out.forwarded += *passed;
    if (last) break;
  }
  return out;
}

std::string refused(const std::string& what) {
  return "Moat refused this request: the archive copied into the container " + what +
         "; the engine unpacks it as root, and a path in a container can be a host directory (rule "
         "container.archive-entry). No setting allows this: copy plain files and directories, and set up anything "
         "more (setuid bits, devices, links, capabilities) inside the container.";
}

std::string unreadable(const std::string& what) {
  return "Moat refused this request: the archive copied into the container " + what +
         " (rule container.archive-entry). No setting allows this: send a plain tar archive, as docker cp does.";
}

TEST(ArchiveUpload, OnlyPutArchiveIsAnUpload) {
  EXPECT_TRUE(is_archive_upload("PUT", {"containers", "abc", "archive"}));
  EXPECT_FALSE(is_archive_upload("GET", {"containers", "abc", "archive"}));
  EXPECT_FALSE(is_archive_upload("PUT", {"containers", "abc", "start"}));
  EXPECT_TRUE(is_archive_copy("GET", {"containers", "abc", "archive"}));
  EXPECT_TRUE(is_archive_copy("HEAD", {"containers", "abc", "archive"}));
  EXPECT_FALSE(is_archive_copy("POST", {"containers", "abc", "archive"}));
}

// What docker cp sends for ordinary files goes through whole, whatever the
// pieces it arrives in.
TEST(ArchiveUpload, OrdinaryFilesGoThroughUnchanged) {
  const std::string archive =
      t::archive({t::member({.name = "dir/", .type = '5', .mode = 0755}), t::file("dir/a.txt", "hello"),
                  t::member({.name = "dir/run.sh", .data = "#!/bin/sh\n", .mode = 01777}),
                  t::entry("dir/link", '2', "a.txt"), t::pax(t::pax_record("path", "dir/long-name.txt")),
                  t::file("x", std::string(1500, 'z')), t::long_name("dir/gnu-long"), t::file("y", "y")});
  for (const std::size_t piece : {std::size_t{1}, std::size_t{5}, std::size_t{511}, std::size_t{512},
                                  std::size_t{4096}, archive.size()}) {
    const Outcome out = upload(archive, piece);
    EXPECT_EQ(out.refusal, "") << piece;
    EXPECT_EQ(out.forwarded, archive) << piece;
  }
}

TEST(ArchiveUpload, EntriesThatWouldBePrivilegesOnTheHostAreRefused) {
  EXPECT_EQ(upload(t::archive({t::member({.name = "evil", .data = "x", .mode = 04755})})).refusal,
            refused("has entry \"evil\" with mode 4755, which is setuid"));
  EXPECT_EQ(upload(t::archive({t::member({.name = "d/", .type = '5', .mode = 02775})})).refusal,
            refused("has entry \"d/\" with mode 2775, which is setgid"));
  EXPECT_EQ(upload(t::archive({t::entry("sda", '4')})).refusal, refused("has entry \"sda\", a block device"));
  EXPECT_EQ(upload(t::archive({t::entry("mem", '3')})).refusal, refused("has entry \"mem\", a character device"));
  EXPECT_EQ(upload(t::archive({t::pax(t::pax_record("SCHILY.xattr.security.capability", "\x01")),
                               t::file("cap", "x")}))
                .refusal,
            refused("sets the extended attribute \"SCHILY.xattr.security.capability\" on its entry \"cap\""));
  EXPECT_EQ(upload(t::archive({t::entry("h", '1', "/etc/passwd")})).refusal,
            refused("has entry \"h\", a hard link, which the engine would make and chmod as root wherever it "
                    "points"));
}

// The name the engine would use is the one the refusal gives: pax and GNU
// long names apply, as in Go.
TEST(ArchiveUpload, TheRefusalNamesTheEntryAsTheEngineWouldWriteIt) {
  EXPECT_EQ(upload(t::archive({t::pax(t::pax_record("path", "real/name")),
                               t::member({.name = "decoy", .data = "x", .mode = 04755})}))
                .refusal,
            refused("has entry \"real/name\" with mode 4755, which is setuid"));
  EXPECT_EQ(upload(t::archive({t::long_name("very/long"), t::member({.name = "short", .mode = 06755})})).refusal,
            refused("has entry \"very/long\" with mode 6755, which is setuid"));
}

// The refused entry's header never reaches the engine; what came before it
// may have (and the engine unpacks only whole entries it read).
TEST(ArchiveUpload, NothingFromTheRefusedHeaderOnReachesTheEngine) {
  const std::string good = t::file("a", std::string(3000, 'a'));
  const std::string bad = t::member({.name = "evil", .data = "x", .mode = 04755});
  const std::string archive = t::archive({good, bad});
  for (const std::size_t piece : {std::size_t{7}, std::size_t{512}, std::size_t{1000}}) {
    const Outcome out = upload(archive, piece);
    EXPECT_NE(out.refusal, "");
    EXPECT_LE(out.forwarded.size(), good.size() + t::kBlock - 1) << piece;
    EXPECT_EQ(out.forwarded, archive.substr(0, out.forwarded.size()));
  }
}

// A pax size that differs from the header's decides where the next header
// is, as in Go: a header hidden in what the header's size calls data counts.
TEST(ArchiveUpload, APaxSizeDecidesWhereTheNextHeaderIs) {
  const std::string hidden = t::member({.name = "evil", .data = "x", .mode = 04755});
  const std::string archive =
      t::archive({t::pax(t::pax_record("size", "0")),
                  t::member({.name = "cover", .data = hidden, .size = hidden.size()})});
  EXPECT_EQ(upload(archive).refusal, refused("has entry \"evil\" with mode 4755, which is setuid"));
}

TEST(ArchiveUpload, WhatCannotBeCheckedIsRefused) {
  EXPECT_EQ(upload(std::string("\x1f\x8b\x08\x00", 4) + std::string(600, 'x')).refusal,
            unreadable("is compressed (gzip), and Moat checks only plain tar archives, which the engine unpacks as root"));
  // A compressed stream is recognised before any of it goes on, even one
  // byte at a time.
  const Outcome slow = upload(std::string("\xfd\x37\x7a\x58\x5a\x00", 6) + std::string(600, 'x'), 1);
  EXPECT_EQ(slow.forwarded, "");
  EXPECT_NE(slow.refusal, "");
  std::string bad_sum = t::file("a", "x");
  bad_sum[0] = 'b';
  EXPECT_EQ(upload(t::archive({bad_sum})).refusal, unreadable("has a header Go refuses at byte 0"));
  EXPECT_EQ(upload(t::archive({t::entry("s", 'S')})).refusal,
            unreadable("has entry \"s\", a sparse file, which Moat does not check"));
  EXPECT_EQ(upload(std::string(512, '\0') + t::file("late", "x")).refusal,
            unreadable("goes on after a zero block at byte 512, which Go refuses"));
}

// After the two zero blocks Go stops reading: nothing there is unpacked.
TEST(ArchiveUpload, BytesAfterTheEndAreNotRead) {
  const std::string archive = t::archive({t::file("a", "x")}) + t::member({.name = "evil", .mode = 04755});
  const Outcome out = upload(archive);
  EXPECT_EQ(out.refusal, "");
  EXPECT_EQ(out.forwarded, archive);
  EXPECT_EQ(upload("").forwarded, "");
  EXPECT_EQ(upload("\x1f").forwarded, "\x1f");  // too short to be anything the engine reads
}

}  // namespace
}  // namespace moat::core::policy

namespace moat::core::policy {
namespace {

using engine::HostMount;

std::optional<uid_t> owners(const std::string& path) {
  if (path == "/home/dev/proj") return 1000;
  if (path == "/tmp") return 0;
  return std::nullopt;
}

std::string target(const Result<std::vector<HostMount>>& mounts, uid_t caller = 1000, bool copies_in = true) {
  const Decision d = judge_archive_target("web", copies_in, mounts, caller, owners);
  return d.allowed ? "allowed" : d.message();
}

const std::string kTail =
    ", and the engine would write what docker cp copies there as root (rule container.archive-host-mount). No "
    "setting allows this: copy into a container that does not mount it, or through the container itself (docker "
    "exec -i web tar -x -C DIR < ARCHIVE).";

TEST(ArchiveTarget, OnlyTheCallersOwnHostDirectoriesMayReceiveACopy) {
  EXPECT_EQ(target(std::vector<HostMount>{}), "allowed");
  EXPECT_EQ(target(std::vector<HostMount>{{"/src", "/home/dev/proj"}}), "allowed");
  EXPECT_EQ(target(std::vector<HostMount>{{"/src", "/home/dev/proj"}, {"/t", "/tmp"}}),
            "Moat refused this request: container web shows the host directory /tmp at /t, which is not yours "
            "(owner uid 0)" + kTail);
  EXPECT_EQ(target(std::vector<HostMount>{{"/src", "/home/dev/proj"}}, 1001),
            "Moat refused this request: container web shows the host directory /home/dev/proj at /src, which is "
            "not yours (owner uid 1000)" + kTail);
  EXPECT_EQ(target(std::vector<HostMount>{{"/gone", "/gone"}}),
            "Moat refused this request: container web shows the host directory /gone at /gone, which is not yours "
            "(its owner cannot be read)" + kTail);
  EXPECT_EQ(target(std::vector<HostMount>{{"/nfs", ""}}),
            "Moat refused this request: container web mounts a volume of another driver at /nfs, whose files Moat "
            "cannot see" + kTail);
  EXPECT_EQ(target(unexpected(Error{"cannot list /d/containers: Permission denied"})),
            "Moat refused this request: Moat cannot tell where a copy into container web would land (cannot list "
            "/d/containers: Permission denied)" + kTail);
  // Root may copy anywhere it could write itself.
  EXPECT_EQ(target(std::vector<HostMount>{{"/t", "/tmp"}}, 0), "allowed");
  // Copying out, the engine reads there as root: other users' private files.
  EXPECT_EQ(target(std::vector<HostMount>{{"/t", "/tmp"}}, 1000, false),
            "Moat refused this request: container web shows the host directory /tmp at /t, which is not yours "
            "(owner uid 0), and the engine would read what docker cp copies from there as root (rule "
            "container.archive-host-mount). No setting allows this: copy out of a container that does not mount "
            "it, or through the container itself (docker exec web tar -c -C DIR . > ARCHIVE).");
}

}  // namespace
}  // namespace moat::core::policy
