// GuardedSession over raw sockets, in front of a real dockerd: what the
// docker CLI never sends (pipelining, Expect, malformed framing, stalls).

#include "moatd/proxy/guarded_session.h"

#include <gtest/gtest.h>

#include <atomic>

#if defined(__SANITIZE_ADDRESS__)
// From the sanitizer runtime (sanitizer/allocator_interface.h, which not
// every toolchain installs).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#else
#include <malloc.h>
#endif

#include "moatd/proxy/error_response.h"
#include "proxy_test_support.h"
#include "test_policy.h"

namespace moat::moatd::proxy::test_support {

void ProxyEngineEnvironment::TearDown() { Engine::stop_if_started(); }

namespace {

[[maybe_unused]] const ::testing::Environment* const kEngineEnvironment =
    ::testing::AddGlobalTestEnvironment(new ProxyEngineEnvironment);

const std::string kPing = "GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n";

// Heap bytes in use by the whole process (all threads).
std::size_t allocated_bytes() {
#if defined(__SANITIZE_ADDRESS__)
  return __sanitizer_get_current_allocated_bytes();
#else
  return mallinfo2().uordblks;
#endif
}

std::string json_error(const std::string& message) { return "{\"message\":\"" + message + "\"}\n"; }

class GuardedSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = &Engine::shared();
    ASSERT_TRUE(engine_->ready()) << "dockerd could not be started: " << engine_->failure();
  }
  SessionOptions options(std::function<std::optional<Verdict>(const http::CanonicalRequest&)> extra = {}) {
    return test_options(engine_->socket(), log_, std::move(extra));
  }
  // A tar archive holding one file, made by tar(1).
  std::string tar_of(const std::string& name, const std::string& content) {
    const std::string dir = make_temp_dir("mpt-");
    std::ofstream(dir + "/" + name, std::ios::binary) << content;
    const CommandResult r = run_command("tar -C " + dir + " -cf " + dir + "/a.tar " + name);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string out = read_file(dir + "/a.tar");
    fs::remove_all(dir);
    return out;
  }

  Engine* engine_ = nullptr;
  std::shared_ptr<JudgeLog> log_ = std::make_shared<JudgeLog>();
};

TEST_F(GuardedSessionTest, KeepAliveServesRequestsInOrderOnOneConnection) {
  SessionServer server(options());
  RawClient c(server.socket());
  ASSERT_TRUE(c.send(kPing));
  const std::string first = c.read_response();
  EXPECT_EQ(status_line(first), "HTTP/1.1 200 OK");
  EXPECT_EQ(body_of(first), "OK");
  EXPECT_NE(first.find("\r\nApi-Version: 1.41\r\n"), std::string::npos) << first;

  ASSERT_TRUE(c.send("GET /v1.41/version HTTP/1.1\r\nHost: docker\r\n\r\n"));
  const std::string second = c.read_response();
  EXPECT_EQ(status_line(second), "HTTP/1.1 200 OK");
  EXPECT_NE(body_of(second).find("\"ApiVersion\":\"1.41\""), std::string::npos) << second;

  // Pipelined: both answered, in order, on the same connection.
  ASSERT_TRUE(c.send(kPing + "HEAD /_ping HTTP/1.1\r\nHost: docker\r\n\r\n"));
  const std::string third = c.read_response();
  EXPECT_EQ(body_of(third), "OK");
  const std::string fourth = c.read_until([](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; });
  EXPECT_EQ(status_line(fourth), "HTTP/1.1 200 OK");
  EXPECT_EQ(log_->seen(), (std::vector<std::string>{"GET /_ping", "GET /v1.41/version", "GET /_ping", "HEAD /_ping"}));
  EXPECT_FALSE(c.closed_by_peer(300ms));
}

TEST_F(GuardedSessionTest, RefusedBufferedRequestKeepsTheConnection) {
  SessionServer server(options([](const http::CanonicalRequest& r) -> std::optional<Verdict> {
    if (path_is(r, {"info"})) return Verdict{false, 403, "engine info is hidden by Moat (rule test.info)"};
    return std::nullopt;
  }));
  RawClient c(server.socket());
  ASSERT_TRUE(c.send("GET /v1.41/info HTTP/1.1\r\nHost: docker\r\n\r\n"));
  EXPECT_EQ(c.read_response(),
            "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: 61\r\n\r\n" +
                json_error("engine info is hidden by Moat (rule test.info)"));
  ASSERT_TRUE(c.send(kPing));
  EXPECT_EQ(body_of(c.read_response()), "OK");
}

// What SessionOptions::await_record was handed, until the test lets the
// verdicts take effect (as moatd's audit sink does once a batch is written).
class HeldVerdicts {
 public:
  void hold(std::function<void(bool recorded)> then) {
    const std::lock_guard lock(mutex_);
    held_.push_back(std::move(then));
  }
  std::size_t size() {
    const std::lock_guard lock(mutex_);
    return held_.size();
  }
  // On the sessions' thread: each record written, or none when `recorded`
  // is false (the sessions then answer SessionOptions::unrecorded).
  void release(bool recorded = true) {
    std::vector<std::function<void(bool)>> held;
    {
      const std::lock_guard lock(mutex_);
      held.swap(held_);
    }
    for (auto& then : held) then(recorded);
  }

 private:
  std::mutex mutex_;
  std::vector<std::function<void(bool)>> held_;
};

// Every request judged a read the engine answers from its own state.
std::optional<Verdict> judged_a_read(const http::CanonicalRequest&) {
  Verdict read{true, 0, ""};
  read.only_answer_waits = true;
  return read;
}

// Holds each verdict in `held` until the test releases it.
AwaitRecord holding_in(const std::shared_ptr<HeldVerdicts>& held) {
  return [held](bool, std::function<void(bool)> then) { held->hold(std::move(then)); };
}

// The answer to a read whose record could not be written.
std::string closing_refusal(const std::string& message) {
  const std::string body = json_error(message);
  return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

TEST_F(GuardedSessionTest, AVerdictTakesEffectOnlyOnceItsRecordIsWritten) {
  auto held = std::make_shared<HeldVerdicts>();
  SessionOptions o = options();
  o.await_record = holding_in(held);
  o.unrecorded = Verdict{false, 503, "audit log full (test)"};
  SessionServer server(o);
  RawClient c(server.socket());
  ASSERT_TRUE(c.send(kPing));
  ASSERT_TRUE(eventually([&] { return held->size() == 1; }));
  c.read_until([](const std::string&) { return false; }, 300ms);
  EXPECT_EQ(c.pending(), "");  // judged, not yet forwarded nor answered
  server.post([held] { held->release(); });
  EXPECT_EQ(body_of(c.read_response()), "OK");

  // A record that could not be written turns the verdict into a refusal;
  // the connection serves the next request.
  ASSERT_TRUE(c.send(kPing));
  ASSERT_TRUE(eventually([&] { return held->size() == 1; }));
  server.post([held] { held->release(false); });
  const std::string refusal = json_error("audit log full (test)");
  EXPECT_EQ(c.read_response(), "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " +
                                   std::to_string(refusal.size()) + "\r\n\r\n" + refusal);
  ASSERT_TRUE(c.send(kPing));
  ASSERT_TRUE(eventually([&] { return held->size() == 1; }));
  server.post([held] { held->release(); });
  EXPECT_EQ(body_of(c.read_response()), "OK");
  EXPECT_EQ(log_->seen(), (std::vector<std::string>{"GET /_ping", "GET /_ping", "GET /_ping"}));
}

TEST_F(GuardedSessionTest, AReadGoesToTheEngineAtOnceAndOnlyItsAnswerWaitsForItsRecord) {
  auto held = std::make_shared<HeldVerdicts>();
  auto flushes = std::make_shared<std::atomic<int>>(0);
  auto recorded = std::make_shared<std::atomic<bool>>(true);
  SessionOptions o = options(judged_a_read);
  o.await_record = holding_in(held);
  o.unrecorded = Verdict{false, 503, "audit log full (test)"};
  // As moatd's sink: writes what is queued and lets its verdicts take effect.
  o.hurry_records = [held, flushes, recorded] {
    ++*flushes;
    held->release(recorded->load());
  };
  SessionServer server(o);
  RawClient c(server.socket());
  ASSERT_TRUE(c.send(kPing));
  // The session asks for the record only once the engine has answered: the
  // request went to the engine while its record was still unwritten, and
  // the answer came after it was written.
  EXPECT_EQ(body_of(c.read_response()), "OK");
  EXPECT_EQ(flushes->load(), 1);
  EXPECT_EQ(held->size(), 0u);

  // A record that could not be written: the engine's answer is dropped and
  // the client gets the reason instead, on a connection that then closes.
  *recorded = false;
  ASSERT_TRUE(c.send(kPing));
  EXPECT_EQ(c.read_response(), closing_refusal("audit log full (test)"));
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(flushes->load(), 2);
}

TEST_F(GuardedSessionTest, AReadsAnswerWaitsUntilTheRecordsItHurriedAreWritten) {
  auto held = std::make_shared<HeldVerdicts>();
  auto hurried = std::make_shared<std::atomic<int>>(0);
  SessionOptions o = options(judged_a_read);
  o.await_record = holding_in(held);
  o.unrecorded = Verdict{false, 503, "audit log full (test)"};
  // A sink whose write comes later, not within the call: the answer stays parked meanwhile.
  o.hurry_records = [hurried] { ++*hurried; };
  SessionServer server(o);
  RawClient c(server.socket());
  ASSERT_TRUE(c.send(kPing));
  ASSERT_TRUE(eventually([&] { return hurried->load() == 1; }));
  // The engine has answered; the answer stays parked until the record is written.
  c.read_until([](const std::string&) { return false; }, 300ms);
  EXPECT_EQ(c.pending(), "");
  server.post([held] { held->release(); });
  EXPECT_EQ(body_of(c.read_response()), "OK");

  // Parked, and then the record could not be written: the reason instead.
  ASSERT_TRUE(c.send(kPing));
  ASSERT_TRUE(eventually([&] { return hurried->load() == 2; }));
  server.post([held] { held->release(false); });
  EXPECT_EQ(c.read_response(), closing_refusal("audit log full (test)"));
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(GuardedSessionTest, AStreamedRequestWaitsForItsRecordEvenWhenMarkedARead) {
  auto held = std::make_shared<HeldVerdicts>();
  auto flushes = std::make_shared<std::atomic<int>>(0);
  SessionOptions o = options(judged_a_read);
  auto marked = std::make_shared<std::atomic<int>>(0);
  o.await_record = [held, marked](bool only_answer_waits, std::function<void(bool)> then) {
    if (only_answer_waits) ++*marked;
    held->hold(std::move(then));
  };
  o.hurry_records = [flushes] { ++*flushes; };
  SessionServer server(o);
  RawClient c(server.socket());
  const std::string tar = tar_of("x.txt", "x\n");
  ASSERT_TRUE(c.send("POST /v1.41/images/load HTTP/1.1\r\nHost: docker\r\nContent-Type: application/x-tar\r\n"
                     "Content-Length: " + std::to_string(tar.size()) + "\r\n\r\n" + tar));
  ASSERT_TRUE(eventually([&] { return held->size() == 1; }));
  c.read_until([](const std::string&) { return false; }, 300ms);
  EXPECT_EQ(c.pending(), "");  // held before it is forwarded
  EXPECT_EQ(marked->load(), 0);  // the session told the sink it waits
  server.post([held] { held->release(); });
  EXPECT_NE(status_line(c.read_response()), "");
  EXPECT_EQ(flushes->load(), 0);
}

TEST_F(GuardedSessionTest, MalformedRequestGets400JsonAndTheConnectionCloses) {
  SessionServer server(options());
  RawClient c(server.socket());
  ASSERT_TRUE(c.send("POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\nContent-Length: 2\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n{}"));
  const std::string message =
      "Moat refused a malformed request: both Content-Length and Transfer-Encoding are present; "
      "send only one (readers disagree on which wins)";
  EXPECT_EQ(c.read_response(), "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " +
                                   std::to_string(json_error(message).size()) +
                                   "\r\nConnection: close\r\n\r\n" + json_error(message));
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_TRUE(log_->seen().empty());  // never judged, never forwarded
}

TEST_F(GuardedSessionTest, ExpectContinueForAStreamedBodyComesOnceTheHeadIsAllowed) {
  ASSERT_EQ(engine_->docker("create --name mpx-expect t/busybox cat /tmp/expect.txt").exit_code, 0);
  SessionServer server(options());
  RawClient c(server.socket());
  const std::string tar = tar_of("expect.txt", "expected\n");
  ASSERT_TRUE(c.send("PUT /v1.41/containers/mpx-expect/archive?path=/tmp HTTP/1.1\r\nHost: docker\r\n"
                     "Content-Type: application/x-tar\r\nExpect: 100-continue\r\nContent-Length: " +
                     std::to_string(tar.size()) + "\r\n\r\n"));
  const std::string interim = c.read_until([](const std::string& b) { return b.size() >= 25; });
  ASSERT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  c.read_response();  // takes the interim answer out of the buffer
  ASSERT_TRUE(c.send(tar));
  const std::string response = c.read_response();
  EXPECT_EQ(status_line(response), "HTTP/1.1 200 OK") << response;
  const CommandResult started = engine_->docker("start -a mpx-expect");
  EXPECT_EQ(started.out, "expected\n") << started.err;
  engine_->docker("rm -f mpx-expect");
}

TEST_F(GuardedSessionTest, ExpectContinueForABufferedBody) {
  SessionServer server(options());
  RawClient c(server.socket());
  const std::string body = R"({"Image":"t/busybox","Cmd":["true"]})";
  ASSERT_TRUE(c.send("POST /v1.41/containers/create?name=mpx-expect-buffered HTTP/1.1\r\nHost: docker\r\n"
                     "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n"));
  EXPECT_EQ(c.read_response(), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(c.send(body));
  EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 201 Created");
  EXPECT_EQ(engine_->docker("rm mpx-expect-buffered").exit_code, 0);
}

TEST_F(GuardedSessionTest, StreamedRequestRefusedAtTheHeadIsAnsweredWithoutReadingTheBody) {
  const std::string refusal = "loading images is not allowed by Moat (rule images.load)";
  SessionServer server(options([&](const http::CanonicalRequest& r) -> std::optional<Verdict> {
    if (path_is(r, {"images", "load"})) return Verdict{false, 403, refusal};
    return std::nullopt;
  }));
  RawClient c(server.socket());
  // 50 MB announced, 10 bytes sent, and Expect: the answer must not wait
  // for the body, and no 100 Continue may precede it.
  ASSERT_TRUE(c.send("POST /v1.41/images/load?quiet=1 HTTP/1.1\r\nHost: docker\r\nContent-Type: application/x-tar\r\n"
                     "Expect: 100-continue\r\nContent-Length: 50000000\r\n\r\n0123456789"));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(c.read_response(5s), "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: " +
                                     std::to_string(json_error(refusal).size()) +
                                     "\r\nConnection: close\r\n\r\n" + json_error(refusal));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(log_->seen(), std::vector<std::string>{"POST /v1.41/images/load"});
}

TEST_F(GuardedSessionTest, StalledClientDoesNotBlockOthers) {
  SessionServer server(options());
  RawClient stalled(server.socket());
  ASSERT_TRUE(stalled.send("POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
                           "Content-Length: 100\r\n\r\n{\"Im"));
  RawClient other(server.socket());
  ASSERT_TRUE(other.send(kPing));
  EXPECT_EQ(body_of(other.read_response(5s)), "OK");
  const CommandResult version = server.docker("version --format '{{.Server.APIVersion}}'", 30s);
  EXPECT_EQ(version.out, "1.41\n") << version.err;
  // The stalled one is still served once it goes on.
  const std::string rest = R"(age":"t/busybox","Cmd":["true"]})";
  ASSERT_TRUE(stalled.send(rest + std::string(100 - 4 - rest.size(), ' ')));
  const std::string created = stalled.read_response();
  EXPECT_EQ(status_line(created), "HTTP/1.1 201 Created") << created;
}

TEST_F(GuardedSessionTest, IdleTimeoutClosesWaitingConnectionsButNotStreams) {
  SessionOptions o = options();
  o.idle_timeout = 300ms;
  SessionServer server(std::move(o));
  RawClient idle(server.socket());
  RawClient dribbling(server.socket());
  ASSERT_TRUE(dribbling.send("GET /_ping HTTP/1.1\r\n"));
  RawClient events(server.socket());
  ASSERT_TRUE(events.send("GET /v1.41/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D HTTP/1.1\r\nHost: docker\r\n\r\n"));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(idle.closed_by_peer(5s));
  EXPECT_TRUE(dribbling.closed_by_peer(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms);
  // The event stream outlives the timeout and still delivers.
  std::this_thread::sleep_for(600ms);
  ASSERT_EQ(engine_->docker("create --name mpx-idle-event t/busybox true").exit_code, 0);
  const std::string got = events.read_until(
      [](const std::string& b) { return b.find("mpx-idle-event") != std::string::npos; }, 10s);
  EXPECT_NE(got.find("\"Action\":\"create\""), std::string::npos) << got;
  engine_->docker("rm mpx-idle-event");
}

TEST_F(GuardedSessionTest, EngineUnreachableGives502) {
  SessionOptions o = options();
  const std::string dir = make_temp_dir("mpu-");
  o.engine_socket = dir + "/missing.sock";
  SessionServer server(std::move(o));
  RawClient c(server.socket());
  ASSERT_TRUE(c.send(kPing));
  const std::string message =
      "the Docker engine is not reachable: cannot connect to " + dir + "/missing.sock: No such file or directory";
  EXPECT_EQ(c.read_response(), "HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\nContent-Length: " +
                                   std::to_string(json_error(message).size()) +
                                   "\r\nConnection: close\r\n\r\n" + json_error(message));
  EXPECT_TRUE(c.closed_by_peer());
  const CommandResult cli = server.docker("ps");
  EXPECT_NE(cli.exit_code, 0);
  EXPECT_NE(cli.err.find("Error response from daemon: " + message), std::string::npos) << cli.err;
  fs::remove_all(dir);
}

TEST_F(GuardedSessionTest, UpgradeAnsweredWithoutSwitchingClosesTheConnection) {
  SessionServer server(options());
  RawClient c(server.socket());
  ASSERT_TRUE(c.send("POST /v1.41/exec/mpxnone/start HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\n"
                     "Upgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"));
  const std::string r = c.read_response();
  EXPECT_EQ(status_line(r), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(body_of(r), "{\"message\":\"No such exec instance: mpxnone\"}\n");
  // Raw bytes may follow an upgrade request: the connection is not reused.
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(GuardedSessionTest, AttachErrorsComeAsTheEnginesRawStream) {
  // dockerd 20.10 hijacks attach before looking the container up and
  // writes its 404 as a raw stream without length: relayed as is.
  SessionServer server(options());
  RawClient c(server.socket());
  ASSERT_TRUE(c.send("POST /v1.41/containers/mpx-none/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: docker\r\n"
                     "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"));
  EXPECT_EQ(c.read_until([](const std::string& b) { return b.ends_with("mpx-none\r\n"); }),
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n"
            "No such container: mpx-none\r\n");
}

TEST_F(GuardedSessionTest, IdleConnectionsCostLittle) {
  SessionServer server(options());
  constexpr std::size_t kConnections = 300;
  std::vector<std::unique_ptr<RawClient>> clients;
  clients.reserve(kConnections);
  // Warm-up: one full exchange so lazily built state exists before measuring.
  {
    RawClient warm(server.socket());
    ASSERT_TRUE(warm.send(kPing));
    ASSERT_EQ(body_of(warm.read_response()), "OK");
  }
  ASSERT_TRUE(eventually([] { return live_guarded_sessions() == 0; }));
  const std::size_t before = allocated_bytes();
  for (std::size_t i = 0; i < kConnections; ++i) {
    clients.push_back(std::make_unique<RawClient>(server.socket()));
    if (i % 2 == 0) {  // half of them served one request first, then left idle
      ASSERT_TRUE(clients.back()->send(kPing));
      ASSERT_EQ(body_of(clients.back()->read_response()), "OK");
    }
  }
  ASSERT_TRUE(eventually([] { return live_guarded_sessions() == kConnections; }));
  const auto per_connection = (static_cast<std::int64_t>(allocated_bytes()) - static_cast<std::int64_t>(before)) /
                              static_cast<std::int64_t>(kConnections);
  // No read buffer (64 KiB per direction) is held by an idle connection.
  EXPECT_LT(per_connection, 16 * 1024) << per_connection << " bytes per idle connection";
  clients.clear();
  EXPECT_TRUE(eventually([] { return live_guarded_sessions() == 0; }));
}

// dockerd 20.10 hijacks exec start with Upgrade (101) and without (200
// with a raw stream ended by close); stdin half-close must reach it.
class ExecHijackTest : public GuardedSessionTest, public ::testing::WithParamInterface<bool> {};

TEST_P(ExecHijackTest, StdinHalfCloseAndOutputRelayed) {
  const bool upgrade = GetParam();
  const std::string name = upgrade ? "mpx-hijack-upgrade" : "mpx-hijack-plain";
  ASSERT_EQ(engine_->docker("run -d --name " + name + " t/busybox sleep 1000").exit_code, 0);
  SessionServer server(options());
  RawClient c(server.socket());
  const std::string create = R"({"AttachStdin":true,"AttachStdout":true,"AttachStderr":true,"Cmd":["cat"]})";
  ASSERT_TRUE(c.send("POST /v1.41/containers/" + name + "/exec HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
                     "Content-Length: " + std::to_string(create.size()) + "\r\n\r\n" + create));
  const std::string created = c.read_response();
  ASSERT_EQ(status_line(created), "HTTP/1.1 201 Created") << created;
  const std::string id = body_of(created).substr(7, 64);
  const std::string start = R"({"Detach":false,"Tty":false})";
  ASSERT_TRUE(c.send("POST /v1.41/exec/" + id + "/start HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n" +
                     (upgrade ? "Connection: Upgrade\r\nUpgrade: tcp\r\n" : "") +
                     "Content-Length: " + std::to_string(start.size()) + "\r\n\r\n" + start));
  const std::string head = c.read_until([](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; });
  EXPECT_EQ(status_line(head), upgrade ? "HTTP/1.1 101 UPGRADED" : "HTTP/1.1 200 OK");
  ASSERT_TRUE(c.send("ping\n"));
  c.shutdown_write();
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(body_of(c.pending()), std::string("\x01\0\0\0\0\0\0\x05ping\n", 13));
  EXPECT_TRUE(eventually([] { return live_guarded_sessions() == 0; }));
  engine_->docker("rm -f " + name);
}

INSTANTIATE_TEST_SUITE_P(WithAndWithoutUpgrade, ExecHijackTest, ::testing::Values(true, false));

TEST_F(GuardedSessionTest, LargeContentLengthBodyReachesTheEngineWhole) {
  ASSERT_EQ(engine_->docker("create --name mpx-large t/busybox wc -c /tmp/large.bin").exit_code, 0);
  SessionServer server(options());
  RawClient c(server.socket());
  const std::string tar = tar_of("large.bin", std::string(3 * 1024 * 1024 + 5, 'z'));
  ASSERT_TRUE(c.send("PUT /v1.41/containers/mpx-large/archive?path=/tmp HTTP/1.1\r\nHost: docker\r\n"
                     "Content-Type: application/x-tar\r\nContent-Length: " + std::to_string(tar.size()) + "\r\n\r\n" + tar));
  EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 200 OK");
  ASSERT_TRUE(c.send(kPing));  // the connection is still in step after a spliced body
  EXPECT_EQ(body_of(c.read_response()), "OK");
  EXPECT_EQ(engine_->docker("start -a mpx-large").out, "3145733 /tmp/large.bin\n");
  engine_->docker("rm -f mpx-large");
}

}  // namespace
}  // namespace moat::moatd::proxy::test_support
