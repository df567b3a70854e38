// The control API's audit endpoints and moatd's sink, against a real log in
// a temporary directory: who may write runtime records, who reads which
// records, and that records held while the log refused writes come back.
#include "moatd/audit_records_api.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "core/audit/query.h"
#include "runtime/runtime_audit.h"
#include "../core/audit/audit_test_support.h"

namespace moat::moatd {
namespace {

using core::audit::testing_support::TempDir;
using nlohmann::json;

class AuditRecordsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    layout_ = core::stack::make_layout(dir_.path().string(), dir_.path().string() + "/admin.json");
    std::filesystem::create_directories(layout_.audit_dir());
    ::chmod(layout_.audit_dir().c_str(), 0700);
    ASSERT_TRUE(core::audit::create_key_pair(layout_.audit_key()));
    auto sink = AuditSink::open(layout_, true, 1 << 20, std::chrono::milliseconds(0));
    ASSERT_TRUE(sink) << sink.error().message;
    sink_ = std::move(*sink);
  }

  std::vector<core::audit::Record> all() {
    auto records = core::audit::query(layout_.audit_log_dir("moatd"), {});
    EXPECT_TRUE(records);
    return records ? *records : std::vector<core::audit::Record>{};
  }

  void record_for(std::uint32_t uid, const std::string& request) {
    core::audit::Record r;
    r.caller = core::audit::Caller{uid, 42, "/usr/bin/docker"};
    r.request = request;
    r.rule = "test.rule";
    r.outcome = core::audit::Outcome::kDeny;
    ASSERT_TRUE(sink_->record(r));
  }

  TempDir dir_;
  core::stack::Layout layout_;
  std::unique_ptr<AuditSink> sink_;
  const PeerCredentials root_{1234, 0, 0, "/usr/sbin/moat-runc"};
  const PeerCredentials developer_{777, 1000, 1000, "/usr/bin/moatctl"};
};

TEST_F(AuditRecordsApi, RootWritesARuntimeRecordAsMoatRunc) {
  const runtime::RuntimeDecision d{"c1", "create c1", "runtime.create", "allow", "own user namespace"};
  const auto response = record_runtime_decision(*sink_, runtime::runtime_record_body(d), root_);
  EXPECT_EQ(response.status, 200u);
  const auto records = all();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].component, core::audit::Component::kMoatRunc);
  EXPECT_EQ(records[0].caller, (core::audit::Caller{0, 1234, "/usr/sbin/moat-runc"}));
  EXPECT_EQ(records[0].container, "c1");
  EXPECT_EQ(records[0].request, "create c1");
  EXPECT_EQ(records[0].rule, "runtime.create");
  EXPECT_EQ(records[0].outcome, core::audit::Outcome::kAllow);
  EXPECT_EQ(records[0].reason, "own user namespace");
}

TEST_F(AuditRecordsApi, OnlyRootWritesRuntimeRecords) {
  const runtime::RuntimeDecision d{"c1", "create c1", "runtime.create", "allow", ""};
  const auto response = record_runtime_decision(*sink_, runtime::runtime_record_body(d), developer_);
  EXPECT_EQ(response.status, 403u);
  EXPECT_EQ(response.body["message"], "only root (moat-runc) may write runtime audit records");
  EXPECT_TRUE(all().empty());
}

TEST_F(AuditRecordsApi, RefusesRuntimeRecordsOfAnyOtherShape) {
  const std::string shape =
      "expected {\"container\", \"request\", \"rule\", \"outcome\": allow|deny|error, \"reason\"}, all strings";
  for (const std::string body :
       {"", "[]", "{}", R"({"container":"c","request":"r","rule":"x","outcome":"maybe"})",
        R"({"container":"c","request":"r","rule":"x","outcome":"allow","reason":1})",
        R"({"container":"c","request":"r","rule":"x","outcome":"allow","reason":"","seq":1})",
        R"({"container":"c","container":"d","request":"r","rule":"x","outcome":"allow"})"}) {
    const auto response = record_runtime_decision(*sink_, body, root_);
    EXPECT_EQ(response.status, 400u) << body;
    EXPECT_EQ(response.body["message"], shape) << body;
  }
  EXPECT_TRUE(all().empty());
}

TEST_F(AuditRecordsApi, ADeveloperReadsOnlyTheirOwnRecords) {
  record_for(1000, "GET /mine/1");
  record_for(0, "GET /root");
  record_for(1001, "GET /someone-else");
  record_for(1000, "GET /mine/2");
  const auto response = read_audit_records(layout_, "/audit/records?tail=10", developer_);
  ASSERT_EQ(response.status, 200u) << response.body.dump();
  ASSERT_EQ(response.body["records"].size(), 2u);
  EXPECT_NE(response.body["records"][0].get<std::string>().find("GET /mine/1"), std::string::npos);
  EXPECT_NE(response.body["records"][1].get<std::string>().find("GET /mine/2"), std::string::npos);

  const auto tail1 = read_audit_records(layout_, "/audit/records?tail=1", developer_);
  ASSERT_EQ(tail1.body["records"].size(), 1u);
  EXPECT_NE(tail1.body["records"][0].get<std::string>().find("GET /mine/2"), std::string::npos);

  const auto other = read_audit_records(layout_, "/audit/records?uid=1001", developer_);
  EXPECT_EQ(other.status, 403u);
  EXPECT_EQ(other.body["message"], "only root reads other users' audit records; uid 1000 reads its own");

  const auto everyone = read_audit_records(layout_, "/audit/records", root_);
  EXPECT_EQ(everyone.body["records"].size(), 4u);
  const auto one = read_audit_records(layout_, "/audit/records?uid=1001", root_);
  ASSERT_EQ(one.body["records"].size(), 1u);
}

TEST_F(AuditRecordsApi, RefusesMalformedReads) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/audit/records?tail=0", "tail must be a positive number, got \"0\""},
      {"/audit/records?limit=x", "limit must be a positive number, got \"x\""},
      {"/audit/records?outcome=maybe", "outcome must be allow, deny or error"},
      {"/audit/records?component=dockerd", "component must be moatd, moat-runc or moatctl"},
      {"/audit/records?uid=-1", "uid must be a number"},
      {"/audit/records?user=1", "unknown parameter \"user\""},
  };
  for (const auto& [target, message] : cases) {
    const auto response = read_audit_records(layout_, target, developer_);
    EXPECT_EQ(response.status, 400u) << target;
    EXPECT_EQ(response.body["message"], message) << target;
  }
  EXPECT_TRUE(is_audit_read("GET", "/audit/records"));
  EXPECT_TRUE(is_audit_read("GET", "/audit/records?tail=1"));
  EXPECT_FALSE(is_audit_read("GET", "/audit/recordsx"));
  EXPECT_FALSE(is_audit_read("POST", "/audit/records"));
}

// Records queued while moatd handles ready connections go out together
// once the event loop gets to the posted batch; each waiter goes ahead only
// then.
TEST_F(AuditRecordsApi, QueuedRecordsAreWrittenTogetherBeforeTheirWaitersGoAhead) {
  boost::asio::io_context io;
  sink_->batch_on(io.get_executor());
  std::vector<std::string> went_ahead;
  for (const std::string request : {"GET /1", "GET /2", "GET /3"}) {
    core::audit::Record r;
    r.caller = core::audit::Caller{1000, 1, "x"};
    r.request = request;
    r.rule = "test.rule";
    sink_->queue(r);
    sink_->after_queued([&went_ahead, request](bool go_ahead) {
      went_ahead.push_back(request + (go_ahead ? " written" : " refused"));
    });
  }
  EXPECT_TRUE(all().empty());
  EXPECT_TRUE(went_ahead.empty());
  EXPECT_EQ(io.run(), 1u);  // one batch
  EXPECT_EQ(went_ahead, (std::vector<std::string>{"GET /1 written", "GET /2 written", "GET /3 written"}));
  const auto records = all();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].request, "GET /3");
  EXPECT_EQ(records[2].seq, 3u);
}

TEST_F(AuditRecordsApi, ARecordQueuedAtLeisureWaitsForAFlushOrTheNextBatch) {
  boost::asio::io_context io;
  sink_->batch_on(io.get_executor());
  const auto make = [](const std::string& request) {
    core::audit::Record r;
    r.request = request;
    r.rule = "test.rule";
    return r;
  };
  std::vector<std::string> went_ahead;
  const auto note = [&went_ahead](const std::string& request) {
    return [&went_ahead, request](bool go_ahead) { went_ahead.push_back(request + (go_ahead ? " written" : " refused")); };
  };
  sink_->queue(make("GET /read"), AuditSink::Write::kAtLeisure);
  sink_->after_queued(note("GET /read"), AuditSink::Write::kAtLeisure);
  EXPECT_EQ(io.poll(), 0u);  // nothing hurries it
  EXPECT_TRUE(all().empty());
  sink_->flush();
  EXPECT_EQ(went_ahead, (std::vector<std::string>{"GET /read written"}));
  ASSERT_EQ(all().size(), 1u);

  // Queued at leisure, it goes with the next batch a hurried record asks for.
  sink_->queue(make("GET /read-2"), AuditSink::Write::kAtLeisure);
  sink_->after_queued(note("GET /read-2"), AuditSink::Write::kAtLeisure);
  sink_->queue(make("POST /write"), AuditSink::Write::kAtLeisure);
  sink_->after_queued(note("POST /write"));
  EXPECT_EQ(went_ahead.size(), 1u);
  io.restart();  // the first poll ran out of work
  EXPECT_EQ(io.poll(), 1u);  // one batch
  EXPECT_EQ(went_ahead,
            (std::vector<std::string>{"GET /read written", "GET /read-2 written", "POST /write written"}));
  const auto records = all();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].request, "GET /read-2");
  EXPECT_EQ(records[2].request, "POST /write");
}

// moatd's own setting, write-behind: the records of a batch are staged,
// and reach audit.log once moatd writes what is staged (as it does before
// a read of the files, and when root's moatctl asks before reading them).
TEST_F(AuditRecordsApi, WithWriteBehindABatchIsStagedBeforeItsWaitersGoAhead) {
  sink_.reset();
  auto staging = AuditSink::open(layout_, true, 1 << 20, kAuditWriteBehind);
  ASSERT_TRUE(staging) << staging.error().message;
  sink_ = std::move(*staging);
  boost::asio::io_context io;
  sink_->batch_on(io.get_executor());
  std::vector<std::string> went_ahead;
  for (const std::string request : {"GET /1", "POST /2"}) {
    core::audit::Record r;
    r.request = request;
    r.rule = "test.rule";
    sink_->queue(r);
    sink_->after_queued([&went_ahead, request](bool go_ahead) { went_ahead.push_back(request + (go_ahead ? " ok" : " no")); });
  }
  EXPECT_TRUE(went_ahead.empty());
  EXPECT_EQ(io.run(), 1u);  // one batch
  EXPECT_EQ(went_ahead, (std::vector<std::string>{"GET /1 ok", "POST /2 ok"}));
  const auto written = write_staged_for_reader(*sink_);
  EXPECT_EQ(written.status, 200u);
  EXPECT_EQ(written.body["message"], "staged audit records written");
  const auto records = all();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].request, "POST /2");
  EXPECT_TRUE(std::filesystem::exists(layout_.audit_log_dir("moatd") + "/audit.staging"));
}

TEST_F(AuditRecordsApi, ARecordWrittenAtOnceComesAfterTheQueuedOnes) {
  boost::asio::io_context io;
  sink_->batch_on(io.get_executor());
  core::audit::Record queued;
  queued.request = "GET /queued";
  queued.rule = "test.rule";
  sink_->queue(queued);
  bool written = false;
  sink_->after_queued([&written](bool go_ahead) { written = go_ahead; });
  record_for(0, "POST /runtime");
  EXPECT_TRUE(written);
  const auto records = all();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].request, "GET /queued");
  EXPECT_EQ(records[1].request, "POST /runtime");
  io.run();  // the posted batch finds nothing left
  EXPECT_EQ(all().size(), 2u);
}

TEST_F(AuditRecordsApi, WaitersOfABatchThatCannotBeWrittenAreRefused) {
  record_for(1000, "GET /before");
  boost::asio::io_context io;
  sink_->batch_on(io.get_executor());
  const std::string log_file = layout_.audit_log_dir("moatd") + "/audit.log";
  core::audit::testing_support::FileSizeLimit limit(std::filesystem::file_size(log_file));
  ASSERT_TRUE(limit.ok());
  std::vector<bool> went_ahead;
  for (const std::string request : {"GET /held/1", "GET /held/2"}) {
    core::audit::Record r;
    r.request = request;
    r.rule = "test.rule";
    sink_->queue(r);
    sink_->after_queued([&went_ahead](bool go_ahead) { went_ahead.push_back(go_ahead); });
  }
  io.run();
  limit.lift();
  EXPECT_EQ(went_ahead, (std::vector<bool>{false, false}));
  EXPECT_EQ(sink_->status()["heldRecords"], 2);
  // Nothing queued: a waiter learns how the last batch went.
  bool last = true;
  sink_->after_queued([&last](bool go_ahead) { last = go_ahead; });
  EXPECT_FALSE(last);
  sink_->retry_held();
  const auto records = all();
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[1].rule, "audit.write-failed");
  EXPECT_EQ(records[2].request, "GET /held/1");
  EXPECT_EQ(records[3].request, "GET /held/2");
}

// A file size limit stands in for a full disk here (the end-to-end suite
// fills a real tmpfs): writes fail, records are held, and come back in
// order after a record that says what happened.
TEST_F(AuditRecordsApi, RecordsHeldWhileTheLogFailsAreWrittenLater) {
  record_for(1000, "GET /before");
  const std::string log_file = layout_.audit_log_dir("moatd") + "/audit.log";
  core::audit::testing_support::FileSizeLimit limit(std::filesystem::file_size(log_file));
  ASSERT_TRUE(limit.ok());
  core::audit::Record r;
  r.caller = core::audit::Caller{1000, 1, "x"};
  r.request = "GET /held/1";
  r.rule = "test.rule";
  EXPECT_FALSE(sink_->record(r));
  r.request = "GET /held/2";
  EXPECT_FALSE(sink_->record(r));
  EXPECT_EQ(sink_->status()["heldRecords"], 2);
  sink_->retry_held();  // still failing: nothing changes
  EXPECT_EQ(sink_->status()["heldRecords"], 2);
  limit.lift();
  sink_->retry_held();
  EXPECT_EQ(sink_->status()["heldRecords"], 0);
  EXPECT_EQ(sink_->status()["failedWrites"], 2);
  const auto records = all();
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].request, "GET /before");
  EXPECT_EQ(records[1].rule, "audit.write-failed");
  EXPECT_EQ(records[1].outcome, core::audit::Outcome::kError);
  EXPECT_NE(records[1].reason.find("the 2 records held in memory meanwhile follow, in order"), std::string::npos)
      << records[1].reason;
  EXPECT_EQ(records[2].request, "GET /held/1");
  EXPECT_EQ(records[3].request, "GET /held/2");
}

}  // namespace
}  // namespace moat::moatd
