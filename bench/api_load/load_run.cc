#include "api_load/load_run.h"

#include <signal.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "api_load/process_cpu.h"

// Threading: every connection is a coroutine on one io_context run by one
// thread. The machines this runs on have 2 cores, which dockerd, moatd and
// HAProxy need; one generator thread takes at most one core's share, sees
// all ready connections per epoll wakeup, and never competes with itself,
// whereas a thread per connection would put up to N more runnable threads in
// front of the scheduler next to the system being measured.

namespace moat::bench::api_load {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Socket = asio::local::stream_protocol::socket;
using Clock = std::chrono::steady_clock;

// A server that has not answered this long after the run ended is stuck: the
// run closes its connections and reports it instead of hanging.
constexpr auto kStuckGrace = std::chrono::seconds(30);
constexpr std::size_t kMaxErrorSamples = 5;
constexpr std::size_t kBodySnippet = 200;
constexpr std::uint64_t kBodyLimit = std::uint64_t{64} << 20;

struct Exchange {
  beast::error_code ec;
  unsigned status = 0;
  bool keep_alive = true;
  std::string body;
};

struct Outcome {
  std::uint64_t requests = 0;
  std::string failure;  // empty: the operation succeeded
  bool reconnect = false;  // the connection cannot carry another request
};

std::string snippet(std::string_view body) {
  std::string out(body.substr(0, kBodySnippet));
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// Shared by all connections; touched only from the one io_context thread.
class RunState {
 public:
  Clock::time_point measure_start;
  Clock::time_point measure_end;
  LoadResult result;

  std::uint64_t requests_completed = 0;  // whenever they started: a switched run's slices count these

  void record(Clock::time_point start, Clock::time_point end, std::uint64_t requests) {
    requests_completed += requests;
    if (start < measure_start || start >= measure_end) return;
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(end - start).count();
    const auto capped = std::clamp<std::int64_t>(us, 0, std::numeric_limits<std::uint32_t>::max());
    result.latencies_us.push_back(static_cast<std::uint32_t>(capped));
    ++result.operations;
    result.requests += requests;
  }

  void error(std::string what) {
    ++result.errors;
    auto& samples = result.error_samples;
    if (samples.size() < kMaxErrorSamples &&
        std::find(samples.begin(), samples.end(), what) == samples.end()) {
      samples.push_back(std::move(what));
    }
  }
};

class Connection {
 public:
  Connection(asio::io_context& io, const LoadOptions& options, RunState& state)
      : socket_(io), options_(options), state_(state) {}

  beast::error_code connect() {
    beast::error_code ec;
    socket_.connect(asio::local::stream_protocol::endpoint(options_.socket_path), ec);
    return ec;
  }

  // Gives up on the server: pending reads and writes end with an error.
  void abort() {
    aborted_ = true;
    beast::error_code ignored;
    socket_.close(ignored);
  }

  asio::awaitable<void> run() {
    while (!aborted_ && Clock::now() < state_.measure_end) {
      const auto start = Clock::now();
      Outcome outcome = co_await operation();
      const auto end = Clock::now();
      if (outcome.failure.empty()) {
        state_.record(start, end, outcome.requests);
      } else {
        state_.error(std::move(outcome.failure));
      }
      if (outcome.reconnect && !aborted_) {
        beast::error_code ignored;
        socket_.close(ignored);
        buffer_.clear();
        if (const auto ec = connect()) {
          state_.error("reconnecting to " + options_.socket_path + ": " + ec.message());
          break;
        }
      }
    }
  }

 private:
  asio::awaitable<Exchange> exchange(const std::string& request) {
    Exchange out;
    co_await asio::async_write(socket_, asio::buffer(request),
                               asio::redirect_error(asio::use_awaitable, out.ec));
    if (out.ec) co_return out;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    co_await http::async_read(socket_, buffer_, parser,
                              asio::redirect_error(asio::use_awaitable, out.ec));
    if (out.ec) co_return out;
    auto& response = parser.get();
    out.status = response.result_int();
    out.keep_alive = response.keep_alive();
    out.body = std::move(response.body());
    co_return out;
  }

  // One request of an operation; false when the operation has failed.
  asio::awaitable<bool> step(std::string_view what, const std::string& request, Outcome& outcome,
                             std::string& body) {
    Exchange answer = co_await exchange(request);
    ++outcome.requests;
    if (answer.ec) {
      outcome.failure = std::string(what) + ": " +
                        (aborted_ ? std::string("no answer within the grace period after the run")
                                  : answer.ec.message());
      outcome.reconnect = true;
      co_return false;
    }
    if (!answer.keep_alive) outcome.reconnect = true;
    if (!expected_status(options_.scenario, answer.status)) {
      outcome.failure = std::string(what) + ": HTTP " + std::to_string(answer.status) + ": " +
                        snippet(answer.body);
      co_return false;
    }
    body = std::move(answer.body);
    co_return true;
  }

  asio::awaitable<Outcome> operation() {
    Outcome outcome;
    std::string body;
    if (options_.scenario == Scenario::kPing) {
      co_await step("GET _ping", ping_, outcome, body);
    } else if (options_.scenario == Scenario::kContainersJson) {
      co_await step("GET containers/json", containers_json_, outcome, body);
    } else if (options_.scenario == Scenario::kRefusedCreate) {
      co_await step("POST containers/create (privileged, / bound; expecting 403)", refused_create_,
                    outcome, body);
    } else {
      if (!co_await step("POST containers/create", create_, outcome, body)) co_return outcome;
      auto id = container_id_from_create(body);
      if (!id) {
        outcome.failure = "POST containers/create: " + id.error().message;
        co_return outcome;
      }
      const std::string what = "DELETE containers/" + id->substr(0, 12);
      const std::string remove = remove_request(*id);
      co_await step(what, remove, outcome, body);
    }
    co_return outcome;
  }

  Socket socket_;
  beast::flat_buffer buffer_;
  const LoadOptions& options_;
  RunState& state_;
  bool aborted_ = false;
  const std::string ping_ = ping_request();
  const std::string containers_json_ = containers_json_request();
  const std::string create_ = create_request(options_.image);
  const std::string refused_create_ = refused_create_request(options_.image);
};

// A CPU time that cannot be read is counted as an error, so the run fails.
std::optional<double> read_cpu(ProcessCpuClock& clock, const char* whose, RunState& state) {
  auto cpu = clock.read_ns();
  if (!cpu) state.error(std::string("reading ") + whose + " CPU time: " + clock.error());
  return cpu;
}

// Switches the server's mode every options.switch_every through the
// measured window and closes a slice at each switch.
class ModeSwitcher {
 public:
  ModeSwitcher(asio::io_context& io, const LoadOptions& options, RunState& state, ProcessCpuClock& server_cpu)
      : timer_(io), options_(options), state_(state), server_cpu_(server_cpu) {
    for (const pid_t pid : options.engine_pids) engine_cpu_.emplace_back(pid);
  }

  void start() {
    timer_.expires_at(state_.measure_start);
    timer_.async_wait([this](const beast::error_code& ec) {
      if (!ec) switch_to(SIGUSR1);
    });
  }

 private:
  void switch_to(int signal) {
    close_slice();
    if (signal == 0) return;
    ::kill(options_.server_pid, options_.same_mode ? SIGUSR1 : signal);
    current_ = SwitchedSlice{signal, 0, 0, 0};
    cpu_at_start_ = read_cpu(server_cpu_, "the server's", state_);
    set_aside_at_start_ = server_cpu_.set_aside_ns();
    engine_cpu_at_start_ = engine_cpu_ns();
    requests_at_start_ = state_.requests_completed;
    const auto next = std::min(timer_.expiry() + options_.switch_every, state_.measure_end);
    timer_.expires_at(next);
    timer_.async_wait([this, signal](const beast::error_code& ec) {
      if (ec) return;
      const bool last = timer_.expiry() >= state_.measure_end;
      switch_to(last ? 0 : (signal == SIGUSR1 ? SIGUSR2 : SIGUSR1));
    });
  }

  void close_slice() {
    if (current_.signal == 0) return;
    const auto cpu = read_cpu(server_cpu_, "the server's", state_);
    const auto engine_cpu = engine_cpu_ns();
    if (cpu && cpu_at_start_ && engine_cpu && engine_cpu_at_start_) {
      const double set_aside = server_cpu_.set_aside_ns() - set_aside_at_start_;
      state_.result.first_mode_thread_cpu_seconds += set_aside / 1e9;
      current_.server_cpu_seconds = (*cpu - *cpu_at_start_ - set_aside) / 1e9;
      current_.engine_cpu_seconds = (*engine_cpu - *engine_cpu_at_start_) / 1e9;
      current_.requests = state_.requests_completed - requests_at_start_;
      state_.result.slices.push_back(current_);
    }
    current_ = SwitchedSlice{};
  }

  // The engine processes' CPU together; none when one cannot be read (a
  // slice without it would understate the cost, so it is left out).
  std::optional<double> engine_cpu_ns() {
    double total = 0;
    for (auto& clock : engine_cpu_) {
      const auto cpu = read_cpu(clock, "the engine's", state_);
      if (!cpu) return std::nullopt;
      total += *cpu;
    }
    return total;
  }

  asio::steady_timer timer_;
  const LoadOptions& options_;
  RunState& state_;
  ProcessCpuClock& server_cpu_;
  double set_aside_at_start_ = 0;
  std::vector<ProcessCpuClock> engine_cpu_;
  SwitchedSlice current_;
  std::optional<double> cpu_at_start_;
  std::optional<double> engine_cpu_at_start_;
  std::uint64_t requests_at_start_ = 0;
};

double us_per_request(double seconds, std::uint64_t requests) {
  return seconds * 1e6 / static_cast<double>(requests);
}

// Gives the first mode's slices (every slice with same_mode) the CPU of
// LoadOptions::first_mode_thread, by their share of those slices' requests,
// or LoadOptions::first_mode_thread_cost_us a request when given.
void share_first_mode_thread(const LoadOptions& options, LoadResult& result) {
  const auto first_mode = [&options](const SwitchedSlice& slice) {
    return options.same_mode || slice.signal == SIGUSR1;
  };
  std::uint64_t requests = 0;
  for (const auto& slice : result.slices) {
    if (first_mode(slice)) requests += slice.requests;
  }
  if (requests == 0) return;
  result.first_mode_thread_us_per_request = us_per_request(result.first_mode_thread_cpu_seconds, requests);
  result.first_mode_thread_charged_us_per_request =
      options.first_mode_thread_cost_us.value_or(result.first_mode_thread_us_per_request);
  for (auto& slice : result.slices) {
    if (!first_mode(slice)) continue;
    slice.server_cpu_seconds +=
        result.first_mode_thread_charged_us_per_request * static_cast<double>(slice.requests) / 1e6;
  }
}

std::string describe(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace

Result<LoadResult> run_load(const LoadOptions& options) {
  try {
    asio::io_context io(1);  // one thread: lets Asio skip its internal locking
    RunState state;
    std::vector<std::unique_ptr<Connection>> connections;
    for (unsigned i = 0; i < options.connections; ++i) {
      connections.push_back(std::make_unique<Connection>(io, options, state));
      if (const auto ec = connections.back()->connect()) {
        return fail("connecting to " + options.socket_path + ": " + ec.message());
      }
    }
    state.measure_start = Clock::now() + options.warmup;
    state.measure_end = state.measure_start + options.duration;
    state.result.latencies_us.reserve(1U << 20);

    asio::steady_timer watchdog(io, state.measure_end + kStuckGrace);
    watchdog.async_wait([&](const beast::error_code& ec) {
      if (ec) return;  // every connection finished in time
      for (auto& connection : connections) connection->abort();
    });
    // The server's CPU time is read when the measured window opens and closes.
    ProcessCpuClock server_cpu(options.server_pid, options.first_mode_thread);
    std::optional<double> server_cpu_start;
    std::optional<double> server_cpu_end;
    double set_aside_start = 0;
    double set_aside_end = 0;
    asio::steady_timer window_open(io, state.measure_start);
    asio::steady_timer window_close(io, state.measure_end);
    if (options.server_pid > 0) {
      // Counters for the threads there are now, before the load starts.
      if (!server_cpu.read_ns()) return fail("reading the server's CPU time: " + server_cpu.error());
      window_open.async_wait([&](const beast::error_code& ec) {
        if (ec) return;
        server_cpu_start = read_cpu(server_cpu, "the server's", state);
        set_aside_start = server_cpu.set_aside_ns();
      });
      window_close.async_wait([&](const beast::error_code& ec) {
        if (ec) return;
        server_cpu_end = read_cpu(server_cpu, "the server's", state);
        set_aside_end = server_cpu.set_aside_ns();
      });
    }
    ModeSwitcher switcher(io, options, state, server_cpu);
    if (options.server_pid > 0 && options.switch_every.count() > 0) switcher.start();
    std::size_t running = connections.size();
    for (auto& connection : connections) {
      asio::co_spawn(io, connection->run(), [&](const std::exception_ptr& failure) {
        if (failure) state.error("connection failed: " + describe(failure));
        if (--running == 0) watchdog.cancel();
      });
    }
    io.run();
    share_first_mode_thread(options, state.result);
    state.result.measured_seconds = std::chrono::duration<double>(options.duration).count();
    if (server_cpu_start && server_cpu_end) {
      state.result.server_cpu_seconds = (*server_cpu_end - *server_cpu_start) / 1e9;
      if (state.result.slices.empty() && !options.first_mode_thread.empty() && state.result.requests > 0) {
        state.result.first_mode_thread_cpu_seconds = (set_aside_end - set_aside_start) / 1e9;
        state.result.first_mode_thread_us_per_request =
            us_per_request(state.result.first_mode_thread_cpu_seconds, state.result.requests);
      }
    }
    return std::move(state.result);
  } catch (const std::exception& e) {
    return fail(std::string("load run failed: ") + e.what());
  }
}

}  // namespace moat::bench::api_load
