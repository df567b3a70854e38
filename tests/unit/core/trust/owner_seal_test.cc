#include "core/trust/owner_seal.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "trust_test_support.h"

namespace moat::core::trust {
namespace {

using testing_support::read_text;
using testing_support::TempDir;
using testing_support::write_text;

std::string why(const Result<ContainerOwner>& r) { return r ? "believed" : r.error().message; }

std::string seal_of(const std::string& label) { return label.substr(label.rfind(':') + 1); }

TEST(OwnerSeal, ALabelNamesTheOwnerItWasMadeFor) {
  const TempDir dir;
  const OwnerSeals seals(dir.str());
  const auto label = seals.label_for({1000, 1001});
  ASSERT_TRUE(label) << label.error().message;
  EXPECT_EQ(label->substr(0, 10), "1000:1001:");
  EXPECT_EQ(label->size(), 10U + 32U);
  const auto owner = seals.owner_from(*label);
  ASSERT_TRUE(owner) << owner.error().message;
  EXPECT_EQ(*owner, (ContainerOwner{1000, 1001}));
  // One seal per owner: the next container of theirs gets the same label.
  EXPECT_EQ(*seals.label_for({1000, 1001}), *label);
  EXPECT_EQ(read_text(dir / "1000-1001"), seal_of(*label) + "\n");
  struct stat st {};
  ASSERT_EQ(::stat((dir / "1000-1001").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600U);
}

// What a developer could write into a label or an image, another owner's
// seal, a label of another stack: none is believed, and each says why.
TEST(OwnerSeal, AnyOtherLabelIsRefusedWithItsReason) {
  const TempDir dir;
  const TempDir other_dir;
  const OwnerSeals seals(dir.str());
  const OwnerSeals other(other_dir.str());
  const std::string mine = *seals.label_for({1000, 1000});
  const std::string theirs = *seals.label_for({1001, 1001});
  const std::string seal = seal_of(mine);
  const std::string shape = "label moat.owner is not UID:GID:SEAL";
  EXPECT_EQ(why(seals.owner_from("1001:1001:" + seal)),
            "label moat.owner does not carry this stack's seal for uid 1001 and gid 1001");
  EXPECT_NE(seal, seal_of(theirs));
  EXPECT_EQ(why(seals.owner_from(*other.label_for({1000, 1000}))),
            "label moat.owner does not carry this stack's seal for uid 1000 and gid 1000");
  EXPECT_EQ(why(seals.owner_from("1002:1002:" + seal)),
            "owner seal " + (dir / "1002-1002").string() + ": No such file or directory");
  std::string upper = mine;
  for (char& c : upper) c = c >= 'a' && c <= 'f' ? static_cast<char>(c - 'a' + 'A') : c;
  if (upper != mine) {
    EXPECT_EQ(why(seals.owner_from(upper)), shape);
  }
  EXPECT_EQ(why(seals.owner_from(mine.substr(0, mine.size() - 1))), shape);
  EXPECT_EQ(why(seals.owner_from(mine + "0")), shape);
  EXPECT_EQ(why(seals.owner_from("01000:1000:" + seal)), shape);
  EXPECT_EQ(why(seals.owner_from("+1000:1000:" + seal)), shape);
  EXPECT_EQ(why(seals.owner_from("1000:" + seal)), shape);
  EXPECT_EQ(why(seals.owner_from("")), shape);
  EXPECT_EQ(why(seals.owner_from("4294967296:1000:" + seal)), shape);
  EXPECT_EQ(why(seals.owner_from("0:1000:" + seal)), "label moat.owner names root, whom no container writes as");
  EXPECT_EQ(why(seals.owner_from("1000:0:" + seal)), "label moat.owner names root, whom no container writes as");
  EXPECT_EQ(why(seals.owner_from("4294967295:1000:" + seal)),
            "label moat.owner names id 4294967295, which no one can be");
}

// A seal others could read, or a malformed one, is no seal: the label is
// not believed, and no new seal replaces the file.
TEST(OwnerSeal, ASealOthersCouldReadOrAMalformedOneIsNotBelieved) {
  const TempDir dir;
  const OwnerSeals seals(dir.str());
  const std::string label = *seals.label_for({1000, 1000});
  const std::string path = dir / "1000-1000";
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  EXPECT_EQ(why(seals.owner_from(label)), "owner seal " + path + " is not a file only root can read and write");
  EXPECT_FALSE(seals.label_for({1000, 1000}));
  write_text(path, std::string(32, 'A') + "\n", 0600);
  EXPECT_EQ(why(seals.owner_from(label)), "owner seal " + path + " is not 32 lower-case hex digits and a newline");
  std::filesystem::remove(path);
  const std::string target = dir / "elsewhere";
  write_text(target, seal_of(label) + "\n", 0600);
  ASSERT_EQ(::symlink(target.c_str(), path.c_str()), 0);
  EXPECT_FALSE(seals.owner_from(label));
}

TEST(OwnerSeal, WithoutItsDirectoryNoLabelIsMade) {
  const TempDir dir;
  const OwnerSeals seals((dir / "missing").string());
  const auto label = seals.label_for({1000, 1000});
  ASSERT_FALSE(label);
  EXPECT_EQ(label.error().message,
            "creating owner seal " + (dir / "missing/1000-1000.new").string() + ": No such file or directory");
}

}  // namespace
}  // namespace moat::core::trust
