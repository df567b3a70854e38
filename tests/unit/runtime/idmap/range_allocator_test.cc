#include "runtime/idmap/range_allocator.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace moat::runtime::idmap {
namespace {

namespace fs = std::filesystem;

class RangeAllocatorTest : public ::testing::Test {
 protected:
  static bool always_live(const Allocation&) { return true; }
  static bool never_live(const Allocation&) { return false; }

  testing_support::TempDir temp_{"moat-idmap"};
  std::string dir_ = temp_.str();
};

TEST_F(RangeAllocatorTest, FirstRangesMatchTheDocumentedMaps) {
  RangeAllocator alloc(dir_);
  auto a = alloc.allocate("a", "/run/runc", always_live);
  auto b = alloc.allocate("b", "/run/runc", always_live);
  auto c = alloc.allocate("c", "/run/runc", always_live);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->map_line(), "0 100000 65536\n");
  EXPECT_EQ(b->map_line(), "0 165536 65536\n");
  EXPECT_EQ(c->host_base, 231072U);
}

TEST_F(RangeAllocatorTest, SameIdGetsSameRange) {
  RangeAllocator alloc(dir_);
  auto first = alloc.allocate("same", "/run/runc", always_live);
  auto again = alloc.allocate("same", "/run/runc", always_live);
  ASSERT_TRUE(first && again);
  EXPECT_EQ(*first, *again);
  auto listed = alloc.list();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1U);
  EXPECT_EQ((*listed)[0].container_id, "same");
  EXPECT_EQ((*listed)[0].runc_root, "/run/runc");
}

TEST_F(RangeAllocatorTest, ReleaseFreesAndLowestSlotIsReused) {
  RangeAllocator alloc(dir_);
  ASSERT_TRUE(alloc.allocate("a", "/r", always_live));
  ASSERT_TRUE(alloc.allocate("b", "/r", always_live));
  ASSERT_TRUE(alloc.allocate("c", "/r", always_live));
  ASSERT_TRUE(alloc.release("a"));
  ASSERT_TRUE(alloc.release("a"));  // twice is fine
  auto found = alloc.find("a");
  ASSERT_TRUE(found);
  EXPECT_FALSE(*found);
  auto d = alloc.allocate("d", "/r", always_live);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->host_base, 100000U);
  auto b = alloc.find("b");
  ASSERT_TRUE(b && *b);
  EXPECT_EQ((*b)->host_base, 165536U);
}

TEST_F(RangeAllocatorTest, Holds4096RangesAndRefusesTheNext) {
  RangeAllocator alloc(dir_);
  std::set<std::uint32_t> bases;
  for (int i = 0; i < 4096; ++i) {
    auto r = alloc.allocate("c" + std::to_string(i), "/r", always_live);
    ASSERT_TRUE(r) << i << ": " << r.error().message;
    bases.insert(r->host_base);
  }
  EXPECT_EQ(bases.size(), 4096U);
  EXPECT_EQ(*bases.begin(), 100000U);
  EXPECT_EQ(*bases.rbegin(), 100000U + 4095U * 65536U);
  auto full = alloc.allocate("one-more", "/r", always_live);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().message,
            "all 4096 id ranges of 65536 ids from 100000 are held by running containers; stop a "
            "container and try again");
  ASSERT_TRUE(alloc.release("c17"));
  auto freed = alloc.allocate("one-more", "/r", always_live);
  ASSERT_TRUE(freed);
  EXPECT_EQ(freed->host_base, 100000U + 17U * 65536U);
}

TEST_F(RangeAllocatorTest, ConcurrentProcessesNeverShareARange) {
  constexpr int kProcesses = 6;
  constexpr int kEach = 20;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      RangeAllocator alloc(dir_);
      std::ofstream out(dir_ + "/out-" + std::to_string(p));
      for (int i = 0; i < kEach; ++i) {
        auto r = alloc.allocate("p" + std::to_string(p) + "-" + std::to_string(i), "/r",
                                always_live);
        if (!r) {
          ::_exit(2);
        }
        out << r->host_base << "\n";
      }
      out.close();
      ::_exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
  }
  std::set<std::uint32_t> bases;
  for (int p = 0; p < kProcesses; ++p) {
    std::ifstream in(dir_ + "/out-" + std::to_string(p));
    std::uint32_t base = 0;
    while (in >> base) {
      bases.insert(base);
    }
  }
  EXPECT_EQ(bases.size(), static_cast<std::size_t>(kProcesses * kEach));
  EXPECT_EQ(*bases.rbegin(), 100000U + (kProcesses * kEach - 1) * 65536U);
}

TEST_F(RangeAllocatorTest, DeadLeftoversAreTakenBackOnlyWhenFullAndOld) {
  AllocatorConfig small;
  small.slots = 2;
  RangeAllocator alloc(dir_, small);
  std::int64_t now = 1000;
  alloc.set_clock([&] { return now; });
  ASSERT_TRUE(alloc.allocate("crashed", "/r", never_live));
  ASSERT_TRUE(alloc.allocate("alive", "/r", never_live));
  // Within the grace period even a "dead" entry is kept: it may be between
  // allocation and runc create.
  now += 10;
  EXPECT_FALSE(alloc.allocate("new", "/r", [](const Allocation& a) {
    return a.container_id == "alive";
  }));
  now += 600;
  auto taken = alloc.allocate("new", "/r",
                              [](const Allocation& a) { return a.container_id == "alive"; });
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(taken->host_base, 100000U);
  auto crashed = alloc.find("crashed");
  ASSERT_TRUE(crashed);
  EXPECT_FALSE(*crashed);
  // Releasing the old owner afterwards does not free the new owner's slot.
  ASSERT_TRUE(alloc.release("crashed"));
  auto still = alloc.find("new");
  ASSERT_TRUE(still && *still);
}

TEST_F(RangeAllocatorTest, InterruptedWritesAreIgnoredAndCorruptionFailsClosed) {
  RangeAllocator alloc(dir_);
  ASSERT_TRUE(alloc.allocate("a", "/r", always_live));
  // A temporary file left by a crash in the middle of a write.
  std::ofstream(dir_ + "/idmap/slots/.1.tmp") << "{\"id\":";
  std::ofstream(dir_ + "/idmap/by-id/.b.tmp") << "1";
  auto b = alloc.allocate("b", "/r", always_live);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host_base, 165536U);
  // Under the table's lock, a temporary can only be a crashed writer's.
  EXPECT_FALSE(fs::exists(dir_ + "/idmap/slots/.1.tmp"));
  EXPECT_FALSE(fs::exists(dir_ + "/idmap/by-id/.b.tmp"));
  // A by-id file that no longer names a slot.
  std::ofstream(dir_ + "/idmap/by-id/c") << "lots";
  auto c = alloc.allocate("c", "/r", always_live);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "the id range table entry " + dir_ +
                "/idmap/by-id/c is unreadable (not a slot number below 4096); no range is "
                "handed out until it is repaired or, with no container running, removed");
  std::ofstream(dir_ + "/idmap/slots/junk") << "";
  auto d = alloc.allocate("d", "/r", always_live);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message,
            "the id range table entry " + dir_ +
                "/idmap/slots/junk is unreadable (not a slot number below 4096); no range is "
                "handed out until it is repaired or, with no container running, removed");
}

// allocate writes by-id before the slot and release removes the slot
// before by-id: a crash in between leaves a by-id entry without its slot.
TEST_F(RangeAllocatorTest, AByIdEntryWithoutItsSlotIsNotBelieved) {
  RangeAllocator alloc(dir_);
  ASSERT_TRUE(alloc.allocate("first", "/r", always_live));
  std::ofstream(dir_ + "/idmap/by-id/crashed") << "1";  // slot 1 was never written
  auto other = alloc.allocate("other", "/r", always_live);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->host_base, 165536U);  // slot 1, free in the slot table
  // The crashed id asks again (a retried create): it gets a slot of its own.
  auto retried = alloc.allocate("crashed", "/r", always_live);
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->host_base, 231072U);
  // Its release frees its own slot and leaves the other's alone.
  ASSERT_TRUE(alloc.release("crashed"));
  EXPECT_FALSE(fs::exists(dir_ + "/idmap/slots/2"));
  EXPECT_FALSE(fs::exists(dir_ + "/idmap/by-id/crashed"));
  std::ofstream(dir_ + "/idmap/by-id/crashed") << "1";
  ASSERT_TRUE(alloc.release("crashed"));
  EXPECT_FALSE(fs::exists(dir_ + "/idmap/by-id/crashed"));
  auto still = alloc.find("other");
  ASSERT_TRUE(still && *still);
  EXPECT_EQ((*still)->host_base, 165536U);
}

TEST_F(RangeAllocatorTest, MayHoldOnlyWhatItsByIdEntryOrItsTemporarySays) {
  RangeAllocator alloc(dir_);
  ASSERT_TRUE(alloc.allocate("held", "/r", always_live));
  EXPECT_TRUE(alloc.may_hold("held"));
  EXPECT_FALSE(alloc.may_hold("never"));
  std::ofstream(dir_ + "/idmap/by-id/.crashed.tmp") << "1";  // a create killed while writing by-id
  EXPECT_TRUE(alloc.may_hold("crashed"));
  EXPECT_TRUE(alloc.may_hold("../escape"));  // not a name the table holds: release decides
  ASSERT_TRUE(alloc.release("held"));
  ASSERT_TRUE(alloc.release("crashed"));
  EXPECT_FALSE(alloc.may_hold("held"));
  EXPECT_FALSE(alloc.may_hold("crashed"));
}

TEST_F(RangeAllocatorTest, RefusesIdsThatAreNotOneFileName) {
  RangeAllocator alloc(dir_);
  for (const std::string id : {"", ".", "..", "a/b", ".hidden"}) {
    auto r = alloc.allocate(id, "/r", always_live);
    ASSERT_FALSE(r) << id;
    EXPECT_EQ(r.error().message, "cannot allocate an id range for container id \"" + id + "\"");
  }
}

TEST_F(RangeAllocatorTest, RuncLivenessLooksForStateJson) {
  fs::create_directories(dir_ + "/runc/live");
  std::ofstream(dir_ + "/runc/live/state.json") << "{}";
  EXPECT_TRUE(runc_knows_container(Allocation{0, "live", dir_ + "/runc", 0}));
  EXPECT_FALSE(runc_knows_container(Allocation{0, "gone", dir_ + "/runc", 0}));
}

}  // namespace
}  // namespace moat::runtime::idmap
