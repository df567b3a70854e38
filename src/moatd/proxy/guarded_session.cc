#include "moatd/proxy/guarded_session.h"

#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <exception>
#include <optional>
#include <utility>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "moatd/http/serialize.h"
#include "moatd/proxy/error_response.h"
#include "moatd/proxy/response_framer.h"
#include "moatd/proxy/socket_pump.h"

namespace moat::moatd::proxy {
namespace {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;
using boost::system::error_code;

std::atomic<std::size_t> g_live_sessions{0};
std::atomic<std::size_t> g_requests_in_flight{0};

// attach and exec start: dockerd hijacks these connections even without
// Upgrade; it then answers 200 with a raw stream that ends when it closes,
// and reads the client's stdin from the same connection.
bool is_hijack_endpoint(const http::CanonicalRequest& r) {
  if (r.method != "POST" || r.segments.size() != 3) return false;
  return (r.segments[0] == "containers" && r.segments[2] == "attach") ||
         (r.segments[0] == "exec" && r.segments[2] == "start");
}

// The judge is outside code: whatever it does, a request it could not judge
// is refused.
Verdict judge_safely(const SessionOptions& options, http::CanonicalRequest& request,
                     const PeerCredentials& peer) {
  if (!options.judge) {
    return Verdict{false, 500, "Moat has no policy loaded to judge requests with; the request was refused"};
  }
  try {
    Verdict verdict = options.judge(request, peer);
    if (!verdict.allowed && (verdict.status < 400 || verdict.status > 599)) verdict.status = 403;
    return verdict;
  } catch (const std::exception& e) {
    return unjudged_verdict(e.what());
  } catch (...) {
    return unjudged_verdict("an exception that is not a std::exception");
  }
}

// How long and how much a refused client may go on sending before the
// connection is closed under it.
constexpr auto kLingerIdle = std::chrono::seconds(5);
constexpr std::size_t kLingerBytes = std::size_t{1} << 30;

// Whether the peer of fd has closed completely (not only its write side).
bool hung_up(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)) != 0;
}

class GuardedSession : public std::enable_shared_from_this<GuardedSession> {
 public:
  GuardedSession(Socket client, std::shared_ptr<const SessionOptions> options)
      : options_(std::move(options)),
        client_(std::move(client)),
        engine_(client_.get_executor()),
        idle_timer_(client_.get_executor()),
        parser_(parser_options()) {
    ++g_live_sessions;
  }
  ~GuardedSession() {
    --g_live_sessions;
    if (in_flight(phase_)) --g_requests_in_flight;
  }
  GuardedSession(const GuardedSession&) = delete;
  GuardedSession& operator=(const GuardedSession&) = delete;

  void start() {
    peer_ = peer_credentials(client_.native_handle());
    error_code ignored;
    client_.native_non_blocking(true, ignored);
    wait_for_request();
  }

 private:
  enum class Phase {
    kRequest,    // waiting for or reading a request (the idle timer runs)
    kRecording,  // judged; waiting for the decision's audit record to be written
    kAnswering,  // writing moatd's own answer to a fully read request
    kUpstream,   // forwarding a request, relaying its response
    kHijacked,   // raw streams both ways
    kClosing,    // writing a last answer, then closing
    kLingering,  // answered; reading and dropping what the client still sends
    kClosed,
  };

  // One request and its response.
  struct Exchange {
    bool head_method = false;
    bool idempotent = false;
    bool keep_alive = true;
    bool upgrade = false;
    bool hijack_endpoint = false;
    bool streamed = false;
    bool chunked = false;          // the streamed body is re-chunked for the engine
    std::uint64_t body_left = 0;   // Content-Length body bytes not forwarded yet
    bool body_pending = false;     // the streamed body is not fully forwarded yet
    std::string upstream;          // the request (buffered) or its head (streamed)
    bool request_sent = false;
    bool upstream_busy = false;    // a write or splice to the engine is in flight
    bool engine_reused = false;
    bool retried = false;
    bool response_started = false; // response bytes went (or are going) to the client
    bool response_done = false;
    bool engine_reusable = true;
    http::ResponseHead response;
    bool client_has_data = false;  // the client already sent its next bytes
    bool hijack_waiting = false;   // the upstream stream starts once the request is sent
    bool up_done = false;
    bool down_done = false;
    std::unique_ptr<BodyCheck> body_check;  // SessionOptions::check_body's, for this body
  };

  using Then = std::function<void()>;

  http::ParserOptions parser_options() {
    http::ParserOptions options = options_->parser;
    // Called by the parser for every head that announces a body: notes the
    // Expect flag so a buffered body can be asked for with 100 Continue.
    options.stream_body = [this](const http::CanonicalRequest& head) {
      head_expects_continue_ = head.expect_continue;
      return options_->stream_body && options_->stream_body(head);
    };
    return options;
  }

  // A request read and not yet fully answered. A hijacked stream is not one:
  // it may last for hours.
  static bool in_flight(Phase phase) {
    return phase == Phase::kRecording || phase == Phase::kAnswering || phase == Phase::kUpstream ||
           phase == Phase::kClosing;
  }
  void set_phase(Phase next) {
    if (in_flight(phase_) != in_flight(next)) {
      if (in_flight(next)) {
        ++g_requests_in_flight;
      } else {
        --g_requests_in_flight;
      }
    }
    phase_ = next;
  }

  bool closed() const { return phase_ == Phase::kClosed; }
  std::string_view client_view() const {
    return {client_buf_.get() + client_begin_, client_end_ - client_begin_};
  }
  bool client_empty() const { return client_begin_ == client_end_; }

  // ---------------------------------------------------------------- requests

  void wait_for_request() {
    set_phase(Phase::kRequest);
    idle_timer_.expires_after(options_->idle_timeout);
    idle_timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec && self->phase_ == Phase::kRequest) self->close_all();
    });
    if (!client_empty()) {
      process_request_bytes();
      return;
    }
    // Idle connections hold no buffer: the next read waits for readiness
    // first and allocates only when bytes are there.
    client_buf_.reset();
    client_begin_ = client_end_ = 0;
    read_client();
  }

  void read_client() {
    if (client_wait_pending_ || phase_ == Phase::kClosing || closed()) return;
    client_begin_ = client_end_ = 0;
    client_wait_pending_ = true;
    auto self = shared_from_this();
    if (!client_buf_) {
      client_.async_wait(Socket::wait_read, [self](error_code ec) {
        self->client_wait_pending_ = false;
        if (self->closed()) return;
        if (ec) return self->close_all();
        self->on_client_readable();
      });
      return;
    }
    client_.async_read_some(asio::buffer(client_buf_.get(), options_->buffer_bytes),
                            [self](error_code ec, std::size_t n) {
                              self->client_wait_pending_ = false;
                              self->on_client_data(ec, n);
                            });
  }

  bool wants_client_bytes() const {
    return phase_ == Phase::kRequest ||
           (phase_ == Phase::kUpstream && x_.body_pending && !x_.upstream_busy);
  }

  void on_client_readable() {
    if (wants_client_bytes()) {
      if (!client_buf_) client_buf_ = std::make_unique_for_overwrite<char[]>(options_->buffer_bytes);
      error_code ec;
      const std::size_t n = client_.read_some(asio::buffer(client_buf_.get(), options_->buffer_bytes), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) return read_client();
      return on_client_data(ec, n);
    }
    if (phase_ == Phase::kUpstream) check_client_gone();
  }

  void on_client_data(error_code ec, std::size_t n) {
    if (closed()) return;
    if (ec || n == 0) {
      // The client ended or failed: whatever it left unfinished is dropped,
      // and the engine sees a truncated body if one was being streamed.
      return close_all();
    }
    client_begin_ = 0;
    client_end_ = n;
    if (phase_ == Phase::kRequest) return process_request_bytes();
    if (phase_ == Phase::kUpstream && x_.body_pending) return pump_body();
  }

  void process_request_bytes() {
    while (!client_empty()) {
      http::ParseEvent event = parser_.feed(client_view());
      client_begin_ += http::consumed(event);
      if (auto* complete = std::get_if<http::event::Complete>(&event)) {
        return on_request(std::move(complete->request));
      }
      if (auto* head = std::get_if<http::event::HeadComplete>(&event)) {
        return on_streamed_head(std::move(head->head));
      }
      if (auto* refused = std::get_if<http::event::Refused>(&event)) {
        const std::string message = refusal_message(refused->refusal);
        if (options_->on_malformed) options_->on_malformed(message, peer_);
        return respond_and_close(refused->refusal.status, message);
      }
      if (!std::holds_alternative<http::event::NeedMore>(event)) {
        return respond_and_close(500, "Moat lost track of the request framing; the connection is closed");
      }
    }
    if (head_expects_continue_ && !continue_sent_) {
      // A buffered body behind Expect: 100-continue. The judge needs the
      // body, so the head accepted by the parser is as far as moatd can
      // vouch before asking for it; a head the parser refuses never gets
      // here.
      continue_sent_ = true;
      return write_client(std::string(kContinueResponse), [this] { read_client(); });
    }
    read_client();
  }

  void begin_exchange(const http::CanonicalRequest& request) {
    x_ = Exchange{};
    x_.head_method = request.method == "HEAD";
    x_.idempotent = request.method == "GET" || request.method == "HEAD";
    x_.keep_alive = request.keep_alive;
    x_.upgrade = request.upgrade;
    x_.hijack_endpoint = is_hijack_endpoint(request);
  }

  void on_request(http::CanonicalRequest request) {
    idle_timer_.cancel();
    Verdict verdict = judge_safely(*options_, request, peer_);
    if (verdict.only_answer_waits && verdict.allowed && options_->await_record && options_->hurry_records) {
      return forward_before_recorded(std::move(verdict), request);
    }
    verdict.only_answer_waits = false;
    after_recorded(std::move(verdict), [this, request = std::move(request)](const Verdict& decided) mutable {
      act_on_request(request, decided);
    });
  }

  void act_on_request(http::CanonicalRequest& request, const Verdict& verdict) {
    if (!verdict.allowed) {
      // Read completely, so the connection can serve the next request,
      // unless the client meant to switch to a raw stream after it.
      if (!request.keep_alive || request.upgrade) return respond_and_close(verdict.status, verdict.message);
      set_phase(Phase::kAnswering);
      return write_client(error_response(verdict.status, verdict.message, false), [this] { next_request(); });
    }
    begin_exchange(request);
    x_.upstream = http::serialize_request(request);
    set_phase(Phase::kUpstream);
    connect_engine([this] { send_upstream(); });
  }

  void on_streamed_head(http::CanonicalRequest head) {
    idle_timer_.cancel();
    Verdict verdict = judge_safely(*options_, head, peer_);
    verdict.only_answer_waits = false;
    after_recorded(std::move(verdict), [this, head = std::move(head)](const Verdict& decided) mutable {
      act_on_streamed_head(head, decided);
    });
  }

  void act_on_streamed_head(http::CanonicalRequest& head, const Verdict& verdict) {
    // Refused at the head: answered without reading a byte of the body, and
    // the connection closed since the unread body would follow.
    if (!verdict.allowed) return respond_and_close(verdict.status, verdict.message);
    begin_exchange(head);
    if (options_->check_body) x_.body_check = options_->check_body(head, peer_);
    x_.streamed = true;
    x_.body_pending = true;
    x_.chunked = head.framing == http::BodyFraming::kChunked;
    x_.body_left = head.framing == http::BodyFraming::kContentLength ? head.content_length : 0;
    x_.upstream = http::serialize_head(head);
    set_phase(Phase::kUpstream);
    const bool expect = head.expect_continue;
    connect_engine([this, expect] {
      if (expect && !continue_sent_) {
        continue_sent_ = true;
        return write_client(std::string(kContinueResponse), [this] { send_upstream(); });
      }
      send_upstream();
    });
  }

  // A verdict takes effect once its decision is in the audit log
  // (SessionOptions::await_record); meanwhile the request counts as in flight.
  template <class Act>
  void after_recorded(Verdict verdict, Act act) {
    if (!options_->await_record) return act(verdict);
    set_phase(Phase::kRecording);
    options_->await_record(false, [self = shared_from_this(), verdict = std::move(verdict),
                                   act = std::move(act)](bool recorded) mutable {
      if (self->closed()) return;
      act(recorded ? verdict : self->options_->unrecorded);
    });
  }

  // A read the engine answers from its own state (Verdict::only_answer_waits)
  // goes to the engine at once; its answer waits for the record instead
  // (send_answer parks it), so the record shares a write with those queued
  // while the engine works.
  void forward_before_recorded(Verdict verdict, http::CanonicalRequest& request) {
    answer_record_ = AnswerRecord::kPending;
    const auto exchange = ++early_exchanges_;
    options_->await_record(true, [self = shared_from_this(), exchange](bool recorded) {
      if (self->closed() || exchange != self->early_exchanges_) return;
      self->answer_record_ = recorded ? AnswerRecord::kWritten : AnswerRecord::kRefused;
      if (!recorded) self->answer_refusal_ = self->options_->unrecorded;
      if (!self->parked_answer_) return;
      AnswerPiece parked = std::move(*self->parked_answer_);
      self->parked_answer_.reset();
      self->send_answer(std::move(parked));
    });
    if (answer_record_ == AnswerRecord::kRefused) {  // known at once: the log already refuses
      answer_record_ = AnswerRecord::kWritten;
      return act_on_request(request, answer_refusal_);
    }
    act_on_request(request, verdict);
  }

  void next_request() {
    parser_.reset();
    x_ = Exchange{};
    head_expects_continue_ = false;
    continue_sent_ = false;
    engine_buf_.reset();
    upstream_pump_.reset();
    downstream_pump_.reset();
    wait_for_request();
  }

  // ------------------------------------------------------------------ engine

  void close_engine() {
    ++engine_gen_;
    error_code ignored;
    engine_.close(ignored);
  }

  void connect_engine(Then then) {
    if (engine_.is_open()) {
      char byte = 0;
      const ssize_t n = ::recv(engine_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        x_.engine_reused = true;
        return then();
      }
      // The engine closed it since the last request (or sent bytes nobody
      // asked for): start over on a new connection.
      close_engine();
    }
    asio::local::stream_protocol::endpoint endpoint;
    try {
      endpoint = asio::local::stream_protocol::endpoint(options_->engine_socket);
    } catch (const std::exception& e) {
      return respond_and_close(502, std::string(kEngineUnreachable) + "bad engine socket path: " + e.what());
    }
    const auto gen = engine_gen_;
    engine_.async_connect(endpoint, [self = shared_from_this(), gen, then = std::move(then)](error_code ec) {
      if (self->closed() || gen != self->engine_gen_) return;
      if (ec) {
        self->close_engine();
        return self->respond_and_close(502, std::string(kEngineUnreachable) + "cannot connect to " +
                                                self->options_->engine_socket + ": " + ec.message());
      }
      error_code ignored;
      self->engine_.native_non_blocking(true, ignored);
      then();
    });
  }

  void write_engine(asio::const_buffer bytes, Then then) {
    x_.upstream_busy = true;
    const auto gen = engine_gen_;
    asio::async_write(engine_, bytes, [self = shared_from_this(), gen, then = std::move(then)](error_code ec, std::size_t) {
      if (self->closed() || gen != self->engine_gen_) return;
      self->x_.upstream_busy = false;
      if (ec) return self->upstream_failed("sending the request: " + ec.message(), true);
      then();
    });
  }

  void send_upstream() {
    write_engine(asio::buffer(x_.upstream), [this] {
      if (x_.streamed) return pump_body();
      after_request_sent();
    });
    start_response();
  }

  // Streamed body: parse what the client sent, forward it, read more only
  // once the engine took it (back-pressure).
  void pump_body() {
    while (x_.body_pending) {
      if (x_.response_done) {
        // The engine answered before the body ended; the rest of the body
        // cannot be told apart from a next request, so the connection ends.
        return close_all();
      }
      if (client_empty()) {
        // A checked body passes through moatd's own buffer, never by splice.
        if (!x_.chunked && !x_.body_check && options_->use_splice &&
            x_.body_left >= options_->splice_threshold) {
          return splice_body();
        }
        return read_client();
      }
      http::ParseEvent event = parser_.feed(client_view());
      client_begin_ += http::consumed(event);
      if (auto* piece = std::get_if<http::event::BodyPiece>(&event)) {
        const bool last = piece->last;
        if (!x_.chunked) x_.body_left -= piece->data.size();
        std::string_view data = piece->data;
        if (x_.body_check) {
          auto passed = x_.body_check->pass(data, last);
          if (!passed) return refuse_mid_body(passed.error().status, passed.error().message);
          data = *passed;
          if (data.empty() && !last) continue;  // held by the check for now
        }
        asio::const_buffer bytes = asio::buffer(data.data(), data.size());
        if (x_.chunked) {
          engine_out_ = data.empty() ? std::string() : http::encode_chunk(data);
          if (last) engine_out_ += http::last_chunk();
          bytes = asio::buffer(engine_out_);
        }
        return write_engine(bytes, [this, last] {
          if (last) return after_request_sent();
          pump_body();
        });
      }
      if (std::holds_alternative<http::event::BodyComplete>(event)) {
        std::string_view rest;
        if (x_.body_check) {
          auto passed = x_.body_check->pass({}, true);
          if (!passed) return refuse_mid_body(passed.error().status, passed.error().message);
          rest = *passed;
        }
        if (!x_.chunked && rest.empty()) return after_request_sent();
        engine_out_ = rest.empty() ? std::string() : x_.chunked ? http::encode_chunk(rest) : std::string(rest);
        if (x_.chunked) engine_out_ += http::last_chunk();
        return write_engine(asio::buffer(engine_out_), [this] { after_request_sent(); });
      }
      if (auto* refused = std::get_if<http::event::Refused>(&event)) {
        return refuse_mid_body(refused->refusal.status, refusal_message(refused->refusal));
      }
      if (!std::holds_alternative<http::event::NeedMore>(event)) return close_all();
    }
  }

  // The rest of a Content-Length body goes client -> engine with splice;
  // the parser is bypassed for it and reset before the next request.
  void splice_body() {
    if (!upstream_pump_) {
      upstream_pump_.emplace(client_, engine_, options_->buffer_bytes, options_->use_splice);
    }
    x_.upstream_busy = true;
    const auto gen = engine_gen_;
    const std::uint64_t want = x_.body_left;
    upstream_pump_->start(want, shared_from_this(), [this, gen, want](const PumpResult& r) {
      if (closed() || gen != engine_gen_) return;
      x_.upstream_busy = false;
      x_.body_left -= r.moved;
      if (r.write_error) return upstream_failed("sending the request body: " + r.write_error.message(), false);
      if (!r.ok() || r.moved != want) return close_all();  // the client ended mid-body
      after_request_sent();
    });
  }

  void refuse_mid_body(int status, const std::string& message) {
    // Part of the body already reached the engine: dropping the engine
    // connection makes it see a truncated body, which it never acts on
    // (an archive's entries before the cut may be unpacked).
    close_engine();
    if (!x_.response_started) return respond_and_close(status, message);
    close_all();
  }

  void after_request_sent() {
    x_.request_sent = true;
    x_.body_pending = false;
    if (x_.hijack_waiting) return start_upstream_stream();
    if (x_.response_done) return finish_exchange();
    watch_client();
  }

  // Something failed between moatd and the engine.
  void upstream_failed(const std::string& why, bool write_failed) {
    if (closed() || phase_ == Phase::kClosing) return;
    if (x_.response_started) return close_all();
    // A kept connection the engine closed just before this request: retry
    // once on a new one if the engine cannot have acted on it.
    const bool nothing_back = !framer_.any_input();
    if (x_.engine_reused && !x_.retried && !x_.streamed && nothing_back && (write_failed || x_.idempotent)) {
      x_.retried = true;
      x_.engine_reused = false;
      x_.upstream_busy = false;
      close_engine();
      return connect_engine([this] { send_upstream(); });
    }
    close_engine();
    respond_and_close(502, std::string(kEngineUnreachable) + why);
  }

  // ---------------------------------------------------------------- response

  // What of the engine's answer is read and ready for the client: its heads,
  // and the body bytes at [body_from, body_from + body_len) of engine_buf_.
  struct AnswerPiece {
    std::string heads;
    std::size_t body_from = 0;
    std::size_t body_len = 0;
    bool done = false;    // the answer ends here
    bool hijack = false;  // a raw stream follows
  };

  void start_response() {
    framer_.start(x_.head_method, options_->max_response_head_bytes);
    if (!engine_buf_) engine_buf_ = std::make_unique_for_overwrite<char[]>(options_->buffer_bytes);
    engine_begin_ = engine_end_ = 0;
    read_engine();
  }

  void read_engine() {
    const auto gen = engine_gen_;
    engine_.async_read_some(asio::buffer(engine_buf_.get(), options_->buffer_bytes),
                            [self = shared_from_this(), gen](error_code ec, std::size_t n) {
                              if (self->closed() || gen != self->engine_gen_) return;
                              self->on_engine_data(ec, n);
                            });
  }

  void on_engine_data(error_code ec, std::size_t n) {
    if (ec == asio::error::eof) {
      const Result<void> end = framer_.end_of_input();
      if (!end) return upstream_failed(end.error().message, false);
      x_.engine_reusable = false;
      return response_complete();  // a body framed by the engine closing
    }
    if (ec) return upstream_failed("reading its answer: " + ec.message(), false);
    engine_begin_ = 0;
    engine_end_ = n;
    relay_response();
  }

  // Forwards what the engine sent, unchanged, up to the end of the response.
  void relay_response() {
    std::string heads;
    std::size_t body_from = engine_begin_;
    std::size_t body_len = 0;
    bool done = false;
    bool hijack = false;
    while (engine_begin_ < engine_end_ && !done && !hijack) {
      const std::string_view input(engine_buf_.get() + engine_begin_, engine_end_ - engine_begin_);
      FramerEvent event = framer_.feed(input);
      const std::size_t used = consumed(event);
      if (auto* failed = std::get_if<framer_event::Failed>(&event)) {
        return upstream_failed(failed->message, false);
      }
      if (auto* head = std::get_if<framer_event::Head>(&event)) {
        heads += head->raw;
        engine_begin_ += used;
        body_from = engine_begin_;
        if (head->head.informational()) continue;
        x_.response = std::move(head->head);
        const auto framing = x_.response.framing;
        if (framing == http::ResponseFraming::kSwitchingProtocols ||
            (framing == http::ResponseFraming::kUntilClose && x_.hijack_endpoint)) {
          if (!x_.upgrade && !x_.hijack_endpoint) {
            return upstream_failed("it switched protocols on a request that did not ask to", false);
          }
          // Everything after the head is already the raw stream.
          hijack = true;
          body_len = engine_end_ - engine_begin_;
          engine_begin_ = engine_end_;
          break;
        }
        done = head->done;
        continue;
      }
      if (auto* body = std::get_if<framer_event::Body>(&event)) {
        body_len += used;
        engine_begin_ += used;
        done = body->done;
        continue;
      }
      engine_begin_ += used;  // NeedMore: a head in progress
    }
    if (done && engine_begin_ < engine_end_) x_.engine_reusable = false;  // bytes nobody asked for
    if (heads.empty() && body_len == 0) {
      if (done) return response_complete();
      return read_engine();
    }
    send_answer(AnswerPiece{std::move(heads), body_from, body_len, done, hijack});
  }

  // The engine's answer goes to the client only once the request's record
  // is written. Until then it is parked, and the session has the queued
  // records written: those of every read forwarded since the last write go
  // with it, so answers the engine sends close together find theirs written.
  // A record that could not be written drops the answer; the client gets
  // the reason instead.
  void send_answer(AnswerPiece piece) {
    if (!x_.response_started && answer_record_ == AnswerRecord::kPending) {
      parked_answer_ = std::move(piece);
      return options_->hurry_records();
    }
    if (!x_.response_started && answer_record_ == AnswerRecord::kRefused) {
      answer_record_ = AnswerRecord::kWritten;
      return respond_and_close(answer_refusal_.status, answer_refusal_.message);
    }
    x_.response_started = true;
    client_out_ = std::move(piece.heads);
    const std::array<asio::const_buffer, 2> out{asio::buffer(client_out_),
                                                asio::buffer(engine_buf_.get() + piece.body_from, piece.body_len)};
    asio::async_write(client_, out, [self = shared_from_this(), done = piece.done,
                                     hijack = piece.hijack](error_code ec, std::size_t) {
      if (self->closed()) return;
      if (ec) return self->close_all();  // the client is gone
      if (hijack) return self->start_hijack();
      if (done) return self->response_complete();
      self->continue_response();
    });
  }

  void continue_response() {
    const auto left = framer_.content_length_left();
    if (left && options_->use_splice && *left >= options_->splice_threshold) return splice_response(*left);
    read_engine();
  }

  void splice_response(std::uint64_t left) {
    if (!downstream_pump_) {
      downstream_pump_.emplace(engine_, client_, options_->buffer_bytes, options_->use_splice);
    }
    const auto gen = engine_gen_;
    downstream_pump_->start(left, shared_from_this(), [this, gen, left](const PumpResult& r) {
      if (closed() || gen != engine_gen_) return;
      framer_.skip_body(r.moved);
      if (!r.ok() || r.moved != left) return close_all();  // cut short on one side
      response_complete();
    });
  }

  void response_complete() {
    x_.response_done = true;
    if (!x_.response.keep_alive) x_.engine_reusable = false;
    if (x_.upstream_busy) return;  // the write to the engine completes first, then decides
    if (x_.body_pending) return close_all();
    finish_exchange();
  }

  void finish_exchange() {
    if (!x_.request_sent) return close_all();
    if (!x_.engine_reusable) close_engine();
    // A request that asked to switch protocols but got an ordinary answer
    // may have raw bytes behind it: the connection cannot be trusted.
    const bool keep = x_.keep_alive && x_.response.keep_alive && !client_eof_ && !x_.upgrade;
    if (!keep) return close_all();
    next_request();
  }

  // While a response streams (logs -f, events), notice a client that went
  // away so the engine stream is not kept open for nobody.
  void watch_client() {
    if (client_wait_pending_ || client_eof_ || x_.client_has_data || phase_ != Phase::kUpstream) return;
    client_wait_pending_ = true;
    client_.async_wait(Socket::wait_read, [self = shared_from_this()](error_code ec) {
      self->client_wait_pending_ = false;
      if (self->closed()) return;
      if (ec) return self->close_all();
      self->on_client_readable();
    });
  }

  void check_client_gone() {
    char byte = 0;
    const ssize_t n = ::recv(client_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) {
      x_.client_has_data = true;  // its next request; read after this response
      return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return watch_client();
    if (n < 0) return close_all();
    // End of the client's stream: a full close, or only its write side
    // (then the response still goes out, and the connection ends after).
    client_eof_ = true;
    if (hung_up(client_.native_handle())) return close_all();
    watch_hangup();
  }

  void watch_hangup() {
    if (hangup_wait_pending_) return;
    hangup_wait_pending_ = true;
    client_.async_wait(Socket::wait_error, [self = shared_from_this()](error_code ec) {
      self->hangup_wait_pending_ = false;
      if (self->closed() || ec) return;
      if (hung_up(self->client_.native_handle())) self->close_all();
    });
  }

  // ------------------------------------------------------------------ hijack

  void start_hijack() {
    set_phase(Phase::kHijacked);
    idle_timer_.cancel();
    if (!downstream_pump_) {
      downstream_pump_.emplace(engine_, client_, options_->buffer_bytes, options_->use_splice);
    }
    downstream_pump_->start(std::nullopt, shared_from_this(), [this](const PumpResult& r) {
      if (closed()) return;
      if (!r.ok()) return close_all();
      // The engine's stream ended: pass the half-close on to the client.
      error_code ignored;
      client_.shutdown(Socket::shutdown_send, ignored);
      x_.down_done = true;
      // dockerd closes a finished stream completely; then nobody reads the
      // client's input any more.
      if (hung_up(engine_.native_handle())) return close_all();
      if (x_.up_done) close_all();
    });
    if (x_.request_sent) return start_upstream_stream();
    x_.hijack_waiting = true;
  }

  void start_upstream_stream() {
    x_.hijack_waiting = false;
    if (!client_empty()) {
      // Bytes the client sent right behind the request belong to the stream.
      return write_engine(asio::buffer(client_view().data(), client_view().size()), [this] {
        client_begin_ = client_end_;
        start_upstream_stream();
      });
    }
    client_buf_.reset();
    client_begin_ = client_end_ = 0;
    if (!upstream_pump_) upstream_pump_.emplace(client_, engine_, options_->buffer_bytes, options_->use_splice);
    upstream_pump_->start(std::nullopt, shared_from_this(), [this](const PumpResult& r) {
      if (closed()) return;
      if (!r.ok()) return close_all();
      // The client closed its input (stdin ended): tell the engine, keep
      // relaying its output.
      error_code ignored;
      engine_.shutdown(Socket::shutdown_send, ignored);
      x_.up_done = true;
      if (x_.down_done) return close_all();
      if (hung_up(client_.native_handle())) return close_all();
      watch_hangup();
    });
  }

  // ---------------------------------------------------------------- answers

  void write_client(std::string bytes, Then then) {
    client_out_ = std::move(bytes);
    asio::async_write(client_, asio::buffer(client_out_),
                      [self = shared_from_this(), then = std::move(then)](error_code ec, std::size_t) {
                        if (self->closed()) return;
                        if (ec) return self->close_all();
                        then();
                      });
  }

  void respond_and_close(int status, const std::string& message) {
    if (closed() || phase_ == Phase::kClosing || phase_ == Phase::kLingering) return;
    set_phase(Phase::kClosing);
    idle_timer_.cancel();
    close_engine();
    write_client(error_response(status, message, true), [this] { linger(); });
  }

  // A refused client may still be sending its body (a build context, an
  // image archive). Closing at once would fail its writes before it reads
  // the answer, and the developer would see "broken pipe" instead of the
  // reason. So the answer goes out, the write side closes, and whatever the
  // client still sends is read and dropped until it stops (bounded in time
  // and bytes).
  void linger() {
    if (client_wait_pending_ || hangup_wait_pending_) return close_all();
    set_phase(Phase::kLingering);
    error_code ignored;
    client_.shutdown(Socket::shutdown_send, ignored);
    linger_left_ = kLingerBytes;
    if (!client_buf_) client_buf_ = std::make_unique_for_overwrite<char[]>(options_->buffer_bytes);
    client_begin_ = client_end_ = 0;
    linger_read();
  }

  void linger_read() {
    idle_timer_.expires_after(kLingerIdle);
    idle_timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec && self->phase_ == Phase::kLingering) self->close_all();
    });
    client_.async_read_some(asio::buffer(client_buf_.get(), options_->buffer_bytes),
                            [self = shared_from_this()](error_code ec, std::size_t n) {
                              if (self->closed()) return;
                              if (ec || n >= self->linger_left_) return self->close_all();
                              self->linger_left_ -= n;
                              self->linger_read();
                            });
  }

  void close_all() {
    if (closed()) return;
    set_phase(Phase::kClosed);
    idle_timer_.cancel();
    close_engine();
    error_code ignored;
    client_.shutdown(Socket::shutdown_both, ignored);
    client_.close(ignored);
    // Buffers stay until the session is destroyed: aborted operations may
    // still refer to them.
  }

  std::shared_ptr<const SessionOptions> options_;
  Socket client_;
  Socket engine_;
  asio::steady_timer idle_timer_;
  PeerCredentials peer_;
  bool head_expects_continue_ = false;
  bool continue_sent_ = false;
  http::RequestParser parser_;
  ResponseFramer framer_;
  Phase phase_ = Phase::kRequest;
  Exchange x_;
  // The record of a request forwarded before it was written
  // (forward_before_recorded); kWritten for every other request.
  enum class AnswerRecord { kWritten, kPending, kRefused };
  AnswerRecord answer_record_ = AnswerRecord::kWritten;
  Verdict answer_refusal_;
  std::optional<AnswerPiece> parked_answer_;  // waiting for its record
  unsigned long early_exchanges_ = 0;  // tells a late record callback from the current one
  unsigned long engine_gen_ = 0;  // bumped on every close: late handlers of an old connection do nothing

  std::unique_ptr<char[]> client_buf_;
  std::size_t client_begin_ = 0;
  std::size_t client_end_ = 0;
  bool client_wait_pending_ = false;
  bool hangup_wait_pending_ = false;
  std::size_t linger_left_ = 0;
  bool client_eof_ = false;
  std::string client_out_;  // what moatd itself writes to the client

  std::unique_ptr<char[]> engine_buf_;
  std::size_t engine_begin_ = 0;
  std::size_t engine_end_ = 0;
  std::string engine_out_;  // re-chunked body pieces

  std::optional<SocketPump> upstream_pump_;    // client -> engine
  std::optional<SocketPump> downstream_pump_;  // engine -> client
};

}  // namespace

void start_guarded_session(Socket client, std::shared_ptr<const SessionOptions> options) {
  std::make_shared<GuardedSession>(std::move(client), std::move(options))->start();
}

std::size_t live_guarded_sessions() { return g_live_sessions.load(); }

std::size_t guarded_requests_in_flight() { return g_requests_in_flight.load(); }

}  // namespace moat::moatd::proxy
