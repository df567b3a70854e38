// Every decision of moatd and moat-runc lands in one tamper-evident audit
// log: root reads, queries and verifies all of it; a developer reads the
// records of their own requests; a full disk refuses requests and loses no
// record, nor does a moatd killed in the middle of its requests.
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <vector>
#include <thread>

#include <nlohmann/json.hpp>

#include "e2e/shared_stack.h"
#include "harness/raw_socket.h"
#include "harness/test_stack.h"

namespace moat::testing {
namespace {

std::string developer_uid() {
  std::string out = run("id -u " + developer()).out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(Audit, DecisionsAreRecordedWithTheCallerAndVerify) {
  TestStack s("audit", test_admin_settings(R"("blockDockerLoad": {"locked": false, "value": false})"));
  ASSERT_EQ(s.up().exit_code, 0);
  const std::string moatctl = bin_dir() + "/moatctl";
  ASSERT_EQ(s.as_developer(moatctl + " settings set blockDockerLoad true --root " + s.root()).exit_code, 0);
  ASSERT_EQ(s.as_developer(moatctl + " settings set enhancedContainerIsolation false --root " + s.root()).exit_code, 1);
  const std::string uid = developer_uid();

  const auto denied = s.moatctl("audit query --outcome deny --root " + s.root());
  EXPECT_EQ(denied.exit_code, 0) << denied.all();
  EXPECT_NE(denied.out.find("moatd deny settings.refused uid=" + uid), std::string::npos) << denied.out;
  EXPECT_NE(denied.out.find("is locked by your administrator"), std::string::npos) << denied.out;
  const auto allowed = s.moatctl("audit query --outcome allow --json --root " + s.root());
  EXPECT_NE(allowed.out.find("\"rule\":\"settings.changed\""), std::string::npos) << allowed.out;

  ASSERT_EQ(s.down().exit_code, 0);  // closing signs a checkpoint
  const auto verified = s.moatctl("audit verify --root " + s.root());
  EXPECT_EQ(verified.exit_code, 0) << verified.all();
  // Checkpoints come by count, by time and at close; the close leaves none unsigned.
  EXPECT_TRUE(verified.out.starts_with("audit log verified: 2 records, ")) << verified.out;
  EXPECT_TRUE(verified.out.ends_with(" in 1 file, last seq 2, 0 records after the last checkpoint\n")) << verified.out;

  // Verifying is root's.
  const auto as_dev = s.as_developer(moatctl + " audit verify --root " + s.root());
  EXPECT_EQ(as_dev.exit_code, 1);
  EXPECT_EQ(as_dev.err, "moatctl audit verify: only root verifies the audit log\n");

  // One changed byte in the first record is found and named.
  ASSERT_EQ(run("sed -i '1s/settings.changed/settings.chan9ed/' " + s.root() + "/audit/moatd/audit.log").exit_code, 0);
  const auto tampered = s.moatctl("audit verify --root " + s.root());
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_NE(tampered.out.find(s.root() + "/audit/moatd/audit.log:1: seq 1: "), std::string::npos) << tampered.all();
}

// moat-runc's decisions are in the same log, written before they take
// effect: the container that ran, and the one root asked for at the
// engine socket that moat-runc refused.
TEST(Audit, RuntimeDecisionsAreInTheSameLog) {
  TestStack& s = shared_stack();
  const auto ran = s.developer_docker("run -d moat-test/busybox true");
  ASSERT_EQ(ran.exit_code, 0) << ran.all();
  std::string id = ran.out;
  while (!id.empty() && id.back() == '\n') id.pop_back();
  ASSERT_EQ(s.developer_docker("wait " + id).exit_code, 0);
  ASSERT_EQ(s.developer_docker("rm " + id).exit_code, 0);
  const auto refused = s.engine_docker("run --rm --pid=host moat-test/busybox true");
  ASSERT_NE(refused.exit_code, 0);

  const auto created = s.moatctl("audit query --component moat-runc --container " + id + " --root " + s.root());
  ASSERT_EQ(created.exit_code, 0) << created.all();
  EXPECT_NE(created.out.find(" moat-runc allow runtime.create uid=0 "), std::string::npos) << created.out;
  EXPECT_NE(created.out.find(" container=" + id + " create " + id + " -- own user namespace, ids "),
            std::string::npos)
      << created.out;
  EXPECT_NE(created.out.find(" moat-runc allow runtime.delete uid=0 "), std::string::npos) << created.out;
  const auto denied = s.moatctl("audit query --component moat-runc --rule runtime.spec --root " + s.root());
  EXPECT_NE(denied.out.find("moat-runc deny runtime.spec uid=0"), std::string::npos) << denied.out;
  EXPECT_NE(denied.out.find("container cannot share the host's pid namespace"), std::string::npos) << denied.out;
}

// A developer reads their own records through moatd, never anyone else's.
TEST(Audit, DevelopersReadTheirOwnRecordsOnly) {
  TestStack& s = shared_stack();
  const std::string moatctl = bin_dir() + "/moatctl";
  const std::string uid = developer_uid();
  for (int i = 0; i < 3; ++i) {
    ASSERT_NE(s.developer_docker("run --rm --privileged --pid=host moat-test/busybox true").exit_code, 0);
  }
  // Root's requests through moatd are in the same log.
  ASSERT_EQ(run("DOCKER_HOST=unix://" + s.user_socket() + " docker ps").exit_code, 0);

  const auto own = s.as_developer(moatctl + " audit tail -n 5 --root " + s.root());
  ASSERT_EQ(own.exit_code, 0) << own.all();
  EXPECT_EQ(count_of(own.out, "\n"), 5u) << own.out;
  EXPECT_EQ(count_of(own.out, " uid=" + uid + " "), 5u) << own.out;
  EXPECT_NE(own.out.find("moatd deny container.namespace-host uid=" + uid), std::string::npos) << own.out;
  const auto everyone = s.moatctl("audit tail -n 5 --root " + s.root());
  EXPECT_NE(everyone.out.find(" uid=0 "), std::string::npos) << everyone.out;

  const auto filtered = s.as_developer(moatctl + " audit query --outcome deny --json --root " + s.root());
  ASSERT_EQ(filtered.exit_code, 0) << filtered.all();
  EXPECT_NE(filtered.out.find("\"uid\":" + uid), std::string::npos);
  EXPECT_EQ(filtered.out.find("\"uid\":0"), std::string::npos) << filtered.out;

  const auto others = s.as_developer(moatctl + " audit query --uid 0 --root " + s.root());
  EXPECT_EQ(others.exit_code, 1);
  EXPECT_EQ(others.err, "moatctl audit: only root reads other users' audit records; uid " + uid + " reads its own\n");
}

// moatd writes the records it staged to audit.log in batches; root, who
// reads the files, still finds the newest at once: moatctl has moatd write
// what it staged before it reads.
TEST(Audit, RootReadsTheNewestRecordsAtOnce) {
  TestStack& s = shared_stack();
  // Ten requests in a few milliseconds, each with a mark of its own: the
  // first is written at once, the others wait to be written together.
  const long first = static_cast<long>(::getpid()) * 100 + 1;
  const auto burst = s.as_developer("curl -s --fail-early --unix-socket " + s.user_socket() +
                                    " \"http://docker/v1.41/containers/json?limit=[" + std::to_string(first) + "-" +
                                    std::to_string(first + 9) + "]\" -o /dev/null");
  ASSERT_EQ(burst.exit_code, 0) << burst.all();
  const auto newest = s.moatctl("audit query --limit 1000000 --uid " + developer_uid() + " --root " + s.root());
  ASSERT_EQ(newest.exit_code, 0) << newest.all();
  EXPECT_EQ(newest.err, "");
  EXPECT_EQ(count_of(newest.out, "limit=" + std::to_string(first + 9) + "\n"), 1u) << newest.out;
}

// A full disk under the log: requests are refused with the reason, and once
// there is room again the records held meanwhile are written, after a record
// saying what happened; the chain still verifies.
TEST(Audit, FullDiskRefusesRequestsAndLosesNoRecord) {
  TestStack s("audit-full", test_admin_settings());
  // Room for the 2 MiB staging file, so that moatd stages as shipped.
  ASSERT_EQ(run("mkdir -p " + s.root() + "/audit && mount -t tmpfs -o size=4m,mode=0700 moat-audit-test " + s.root() +
                "/audit")
                .exit_code,
            0);
  struct Unmount {
    std::string dir;
    ~Unmount() { run("umount -l " + dir); }
  } unmount{s.root() + "/audit"};
  ASSERT_EQ(s.up().exit_code, 0) << s.logs();
  ASSERT_TRUE(std::filesystem::exists(s.root() + "/audit/moatd/audit.staging")) << s.logs();
  const std::string uid = developer_uid();
  ASSERT_EQ(s.developer_docker("version").exit_code, 0);

  run("dd if=/dev/zero of=" + s.root() + "/audit/filler bs=4k 2>/dev/null");  // until the tmpfs is full
  // Records still fit in the log's last page for a while, and staged ones
  // reach it up to moatd's write-behind (0.5 s) later; then every request
  // is refused.
  const std::string list = "GET /v1.41/containers/json HTTP/1.0\r\n\r\n";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline &&
         http_status(raw_exchange(s.user_socket(), list, developer())) == 200) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto refused = s.developer_docker("ps");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("Error response from daemon: Moat refused this request: its audit log cannot be "
                             "written (setting moat.audit.onWriteFailure is \"refuse\"); an admin must free "
                             "space or repair the log"),
            std::string::npos)
      << refused.all();
  // Requests refused meanwhile, each with a mark of its own to find it later.
  for (int mark = 1001; mark <= 1005; ++mark) {
    const auto reply = raw_exchange(
        s.user_socket(), "GET /v1.41/containers/json?limit=" + std::to_string(mark) + " HTTP/1.0\r\n\r\n", developer());
    EXPECT_EQ(http_status(reply), 503) << reply;
  }
  const auto status = s.moatctl("status --root " + s.root());
  EXPECT_NE(status.out.find("held in memory until the log takes writes again; requests are refused meanwhile"),
            std::string::npos)
      << status.out;
  const auto held_status = nlohmann::json::parse(s.moatctl("status --json --root " + s.root()).out);
  const auto held = held_status["audit"]["heldRecords"].get<std::uint64_t>();
  EXPECT_GE(held, 6u) << held_status.dump();

  ASSERT_EQ(run("rm " + s.root() + "/audit/filler").exit_code, 0);
  std::this_thread::sleep_for(std::chrono::seconds(3));  // moatd retries every 2 s
  const auto ok = s.developer_docker("ps");
  EXPECT_EQ(ok.exit_code, 0) << ok.all();

  const auto gap = s.moatctl("audit query --rule audit.write-failed --root " + s.root());
  EXPECT_NE(gap.out.find("moatd error audit.write-failed"), std::string::npos) << gap.out;
  EXPECT_NE(gap.out.find("the " + std::to_string(held) + " records held in memory meanwhile follow, in order"),
            std::string::npos)
      << gap.out;
  // Every refused request is in the log, once.
  const auto mine = s.moatctl("audit query --uid " + uid + " --root " + s.root());
  for (int mark = 1001; mark <= 1005; ++mark) {
    EXPECT_EQ(count_of(mine.out, "limit=" + std::to_string(mark)), 1u) << mark << "\n" << mine.out;
  }

  ASSERT_EQ(s.down().exit_code, 0);
  const auto verified = s.moatctl("audit verify --root " + s.root());
  EXPECT_EQ(verified.exit_code, 0) << verified.all();
}

// moatd killed while developers' requests stream in: every request that was
// answered is in the log once the stack is up again, once, and the chain
// verifies. (Records moatd staged but had not yet written to audit.log are
// written by the next moatd before it reads the log.)
TEST(Audit, AKilledMoatdLosesNoRecordOfAnAnsweredRequest) {
  TestStack s("audit-killed", test_admin_settings());
  ASSERT_EQ(s.up().exit_code, 0) << s.logs();
  const int moatd = nlohmann::json::parse(s.moatctl("status --json --root " + s.root()).out)["components"]["moatd"]["pid"];
  std::string marks_dir = run("mktemp -d /tmp/moat-answered-XXXXXX").out;
  marks_dir.erase(marks_dir.find_last_not_of('\n') + 1);
  ASSERT_EQ(run("chmod 0777 " + marks_dir).exit_code, 0);
  const std::string answered = marks_dir + "/client";
  // Four clients as the developer, each on one kept-alive connection, each
  // request with a mark of its own (curl's URL ranges); a mark is noted
  // once its answer came. They stop at the first request that fails
  // (moatd gone).
  std::string clients;
  for (int client = 1; client <= 4; ++client) {
    const std::string first = std::to_string(client * 100000);
    clients += "curl -s --fail-early --unix-socket " + s.user_socket() +
               " \"http://docker/v1.41/containers/json?limit=[" + first + "-" + std::to_string(client * 100000 + 99999) +
               "]\" -w \"%{stderr}%{http_code} %{url_effective}\\n\" > /dev/null 2> " + answered + "." + first + " & ";
  }
  ASSERT_EQ(run("setsid runuser -u " + developer() + " -- sh -c '" + clients + "wait; touch " + answered +
                ".done' < /dev/null > /dev/null 2>&1 &")
                .exit_code,
            0);
  run("sleep 3");
  ASSERT_EQ(run("kill -9 " + std::to_string(moatd)).exit_code, 0);
  run("for i in $(seq 100); do [ -e " + answered + ".done ] && break; sleep 0.1; done");
  const auto marks = run("cat " + answered + ".*00000");
  ASSERT_EQ(run("test -e " + answered + ".done").exit_code, 0) << "the clients did not stop when moatd died";
  std::vector<std::string> answered_marks;
  std::istringstream lines(marks.out);
  for (std::string code, url; lines >> code >> url;) {
    if (code == "000") continue;  // no answer: moatd was gone
    ASSERT_EQ(code, "200") << url;
    answered_marks.push_back(url.substr(url.rfind('=') + 1));
  }
  ASSERT_GT(answered_marks.size(), 100u) << "too few requests before the kill to show anything";

  const auto up = s.up();
  ASSERT_EQ(up.exit_code, 0) << up.all() << s.logs();
  const auto mine = s.moatctl("audit query --limit 1000000 --uid " + developer_uid() + " --root " + s.root());
  ASSERT_EQ(mine.exit_code, 0) << mine.all();
  std::size_t missing = 0;
  for (const auto& mark : answered_marks) {
    const auto times = count_of(mine.out, "limit=" + mark);
    if (times != 1) ++missing;
    EXPECT_LE(times, 1u) << "mark " << mark << " is in the log " << times << " times";
  }
  EXPECT_EQ(missing, 0u) << "of " << answered_marks.size() << " answered requests";
  // Whether moatd died with records staged but not yet in audit.log varies
  // from run to run; its successor says when it wrote such records.
  std::cout << "answered before the kill: " << answered_marks.size() << "; "
            << run("grep -h 'had staged but not yet written' " + s.root() + "/logs/moatd*.log || echo 'none staged'").out;
  ASSERT_EQ(s.down().exit_code, 0);
  const auto verified = s.moatctl("audit verify --root " + s.root());
  EXPECT_EQ(verified.exit_code, 0) << verified.all();
  run("rm -rf " + marks_dir);
}

}  // namespace
}  // namespace moat::testing
