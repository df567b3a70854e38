#include "core/audit/query.h"

#include <gtest/gtest.h>

#include "audit_test_support.h"
#include "core/audit/log_files.h"

namespace moat::core::audit {
namespace {

using namespace testing_support;

std::vector<std::uint64_t> seqs(const std::vector<Record>& records) {
  std::vector<std::uint64_t> out;
  for (const auto& record : records) out.push_back(record.seq);
  return out;
}

// Records 1..12, one second apart from 10:00:00, spread over several files.
class Query : public ::testing::Test {
 protected:
  void SetUp() override {
    auto options = quiet_options(dir_.path());
    options.max_file_bytes = 1200;
    options.clock = clock_.function();
    auto log = AuditLog::open(options, key_);
    ASSERT_TRUE(log) << log.error().message;
    for (int i = 1; i <= 12; ++i) {
      ASSERT_TRUE((*log)->append(sample_record(i)));
      clock_.advance(std::chrono::seconds(1));
    }
    ASSERT_TRUE((*log)->close());
    ASSERT_GE(list_log_files(dir_.path()).value().size(), 3U);
  }

  std::vector<std::uint64_t> run(const QueryFilter& filter, std::size_t limit = SIZE_MAX) {
    auto found = query(dir_.path(), filter, limit);
    EXPECT_TRUE(found) << found.error().message;
    return found ? seqs(*found) : std::vector<std::uint64_t>{};
  }

  TempDir dir_;
  FakeClock clock_;
  SigningKey key_ = new_key();
};

TEST_F(Query, AnEmptyFilterReturnsEveryRecordInOrder) {
  EXPECT_EQ(run({}), (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  EXPECT_EQ(run({}, 3), (std::vector<std::uint64_t>{1, 2, 3}));
}

TEST_F(Query, ReturnsWholeRecords) {
  const auto found = query(dir_.path(), {}, 1).value();
  ASSERT_EQ(found.size(), 1U);
  Record expected = sample_record(1);
  expected.seq = 1;
  expected.prev = std::string(kGenesisPrev);
  expected.time = parse_time("2026-08-01T10:00:00.000Z").value();
  EXPECT_EQ(found[0], expected);
}

TEST_F(Query, FiltersByTimeRange) {
  QueryFilter filter;
  filter.since = parse_time("2026-08-01T10:00:03.000Z").value();
  filter.until = parse_time("2026-08-01T10:00:06.000Z").value();
  EXPECT_EQ(run(filter), (std::vector<std::uint64_t>{4, 5, 6}));
}

TEST_F(Query, FiltersByCallerContainerRuleOutcomeAndComponent) {
  QueryFilter uid;
  uid.caller_uid = 1000;  // i % 3 == 0
  EXPECT_EQ(run(uid), (std::vector<std::uint64_t>{3, 6, 9, 12}));
  QueryFilter container;
  container.container = "c2";  // even i with i % 4 == 2
  EXPECT_EQ(run(container), (std::vector<std::uint64_t>{2, 6, 10}));
  QueryFilter rule;
  rule.rule = "rule-1";
  EXPECT_EQ(run(rule), (std::vector<std::uint64_t>{1, 5, 9}));
  QueryFilter outcome;
  outcome.outcome = Outcome::kDeny;
  EXPECT_EQ(run(outcome), (std::vector<std::uint64_t>{3, 6, 9, 12}));
  QueryFilter component;
  component.component = Component::kMoatRunc;
  EXPECT_EQ(run(component), (std::vector<std::uint64_t>{5, 10}));
  QueryFilter both;
  both.outcome = Outcome::kAllow;
  both.container = "c2";
  EXPECT_EQ(run(both), (std::vector<std::uint64_t>{2, 10}));
}

TEST_F(Query, RecordsWithoutACallerNeverMatchAUidFilter) {
  Record record;
  record.seq = 1;
  QueryFilter filter;
  filter.caller_uid = 0;
  EXPECT_FALSE(filter.matches(record));
  record.caller = Caller{0, 1, "x"};
  EXPECT_TRUE(filter.matches(record));
}

TEST_F(Query, TailReturnsTheNewestRecordsAcrossFiles) {
  EXPECT_EQ(seqs(tail(dir_.path(), 5).value()), (std::vector<std::uint64_t>{8, 9, 10, 11, 12}));
  EXPECT_EQ(seqs(tail(dir_.path(), 1).value()), (std::vector<std::uint64_t>{12}));
  EXPECT_TRUE(tail(dir_.path(), 0).value().empty());
  EXPECT_EQ(tail(dir_.path(), 100).value().size(), 12U);
}

TEST_F(Query, AMalformedLineIsAnErrorNotSkipped) {
  auto lines = read_lines(dir_ / "audit.log.1");
  lines[1] = "{}";
  write_lines(dir_ / "audit.log.1", lines);
  const auto found = query(dir_.path(), {});
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, AuditErrc::kMalformedLine);
  EXPECT_EQ(found.error().message, "audit.log.1 line 2 (run verify): missing field \"type\"");
}

TEST_F(Query, AnIncompleteLastLineOfTheCurrentFileIsLeftOut) {
  const std::string text = read_text(dir_ / "audit.log");
  write_text(dir_ / "audit.log", text + "{\"seq\":13");
  EXPECT_EQ(seqs(tail(dir_.path(), 1).value()), (std::vector<std::uint64_t>{12}));
}

}  // namespace
}  // namespace moat::core::audit
