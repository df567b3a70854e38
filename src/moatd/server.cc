#include "moatd/server.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/trust/detached_signature.h"
#include "core/trust/settings_signature.h"
#include "moatd/control_api.h"
#include "moatd/control_session.h"
#include "moatd/egress/egress_filter.h"
#include "moatd/event_loop.h"
#include "moatd/guard.h"
#include "moatd/proxy/guarded_session.h"
#include "moatd/syslog_export.h"
#include "moatd/unix_listener.h"

namespace moat::moatd {
namespace {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;

constexpr auto kReloadInterval = std::chrono::seconds(2);

// What identifies a version of a file for "has it changed?".
std::string file_stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "missing";
  return std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ":" +
         std::to_string(st.st_ctim.tv_nsec) + ":" + std::to_string(st.st_mode) + ":" +
         std::to_string(st.st_uid);
}

constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
// Below the 10 s moatctl gives moatd to exit before it kills it.
constexpr auto kDrainLimit = std::chrono::seconds(8);
constexpr auto kDrainPoll = std::chrono::milliseconds(20);

// Accepts until the acceptor closes. Out of descriptors (EMFILE) or memory,
// it pauses instead of spinning: the connection waits in the backlog.
template <class Handler>
void accept_loop(UnixAcceptor& acceptor, Handler handler) {
  acceptor.async_accept([&acceptor, handler](boost::system::error_code ec, Socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      handler(std::move(socket));
      return accept_loop(acceptor, handler);
    }
    std::cerr << "moatd: accept: " << ec.message() << "; retrying shortly\n";
    auto timer = std::make_shared<asio::steady_timer>(acceptor.get_executor(), kAcceptRetry);
    timer->async_wait([&acceptor, handler, timer](boost::system::error_code) { accept_loop(acceptor, handler); });
  });
}

// Idle keep-alive connections cost a descriptor each: take all the kernel
// allows this process.
void raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

Result<void> run_server(const core::stack::Layout& layout, const ServerOptions& options) {
  Result<core::settings::SettingsState, std::vector<std::string>> loaded =
      unexpected(std::vector<std::string>{});
  if (auto signature = core::trust::check_settings_signature(layout); !signature) {
    loaded = unexpected(std::vector<std::string>{signature.error().message});
  } else {
    loaded = core::settings::load_settings_state(layout.admin_settings, layout.user_settings(),
                                                 layout.admin_settings == core::stack::kDefaultAdminSettings);
  }
  // Without settings there is no policy: moatd still serves, refusing every
  // request but read-only status ones with the reason, until a fix loads.
  core::settings::SettingsState state =
      loaded ? std::move(loaded).value()
             : core::settings::settings_without_policy(layout.admin_settings, std::move(loaded).error());
  if (state.without_policy) {
    std::cerr << "moatd: settings refused; refusing every request until they are fixed:\n";
    for (const auto& p : state.problems) std::cerr << "  " << p << "\n";
  }
  const auto effective = state.effective();
  auto audit = AuditSink::open(
      layout, effective.value("moat.audit.onWriteFailure") == "refuse",
      static_cast<std::uint64_t>(effective.value("moat.audit.rotateMegabytes").get<long long>()) << 20,
      kAuditWriteBehind);
  if (!audit) return unexpected(audit.error());
  ControlApi api(layout, std::move(state), **audit);
  // Declared after the audit sink and the API, so it stops (and joins its
  // threads) before they go.
  SyslogExport syslog_export(layout);
  syslog_export.apply(*api.effective());

  const auto docker_gid = group_id("docker");
  if (!docker_gid) return unexpected(docker_gid.error());
  raise_descriptor_limit();
  asio::io_context io;
  (*audit)->batch_on(io.get_executor());
  auto user = listen_unix(io, layout.user_socket(), *docker_gid, 0660);
  if (!user) return unexpected(user.error());
  auto control = listen_unix(io, layout.control_socket(), *docker_gid, 0660);
  if (!control) return unexpected(control.error());

  Guard guard(layout, api, **audit);
  auto session_options = std::make_shared<proxy::SessionOptions>();
  session_options->engine_socket = layout.engine_socket();
  session_options->judge = [&guard](http::CanonicalRequest& request, const PeerCredentials& peer) {
    return guard.judge(request, peer);
  };
  session_options->await_record = [&guard](bool only_answer_waits, std::function<void(bool recorded)> then) {
    guard.await_record(only_answer_waits, std::move(then));
  };
  session_options->hurry_records = [&guard] { guard.hurry_records(); };
  session_options->stream_body = [&guard](const http::CanonicalRequest& head) { return guard.streams_body(head); };
  session_options->check_body = [&guard](const http::CanonicalRequest& head, const PeerCredentials& peer) {
    return guard.check_body(head, peer);
  };
  session_options->parser.buffered_body_limit = [&guard](const http::CanonicalRequest& head) {
    return guard.buffered_body_limit(head);
  };
  session_options->on_malformed = [&guard](const std::string& message, const PeerCredentials& peer) {
    guard.record_malformed(message, peer);
  };
  std::shared_ptr<const proxy::SessionOptions> shared_options = std::move(session_options);
  std::optional<asio::ip::tcp::acceptor> egress_acceptor;
  if (options.egress_port != 0) {
    boost::system::error_code ec;
    const asio::ip::tcp::endpoint endpoint(asio::ip::address_v4::loopback(),
                                           static_cast<std::uint16_t>(options.egress_port));
    egress_acceptor.emplace(io);
    egress_acceptor->open(endpoint.protocol(), ec);
    if (!ec) egress_acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) egress_acceptor->bind(endpoint, ec);
    if (!ec) egress_acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail("egress filter on 127.0.0.1:" + std::to_string(options.egress_port) + ": " + ec.message());
    auto egress_options = std::make_shared<egress::EgressOptions>();
    egress_options->judge = [&guard](const egress::Target& target, const std::string& peer,
                                     std::function<void(egress::EgressVerdict)> act) {
      guard.judge_egress(target, peer, std::move(act));
    };
    egress::start_egress_filter(*egress_acceptor, std::move(egress_options));
  }
  accept_loop(*user, [shared_options](Socket s) { proxy::start_guarded_session(std::move(s), shared_options); });
  accept_loop(*control, [&api](Socket s) { start_control_session(std::move(s), api); });

  // Settings files are re-read when they change, so a broken edit is noticed
  // (and refused) at once rather than at the next restart. The same tick
  // writes audit records held while the log was unwritable.
  asio::steady_timer timer(io);
  const auto settings_stamps = [&layout] {
    return file_stamp(layout.admin_settings) + "|" + file_stamp(layout.user_settings()) + "|" +
           file_stamp(core::trust::signature_path_for(layout.admin_settings)) + "|" +
           file_stamp(core::trust::pinned_settings_key_path(layout));
  };
  std::string stamps = settings_stamps();
  std::function<void()> watch = [&] {
    timer.expires_after(kReloadInterval);
    timer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      (*audit)->retry_held();
      (*audit)->flush();  // records queued at leisure whose answer never came
      const std::string now = settings_stamps();
      if (now != stamps) {
        stamps = now;
        api.reload();
        syslog_export.apply(*api.effective());
        guard.refresh();
      }
      watch();
    });
  };
  watch();

  asio::signal_set audit_switch(io);
  std::function<void()> await_audit_switch = [&] {
    audit_switch.async_wait([&](boost::system::error_code ec, int signal) {
      if (ec) return;
      (*audit)->pause_for_benchmark(signal == SIGUSR2);
      std::cerr << "moatd: benchmark switch: audit " << (signal == SIGUSR2 ? "PAUSED" : "on") << "\n";
      await_audit_switch();
    });
  };
  if (options.audit_switch_for_benchmark) {
    audit_switch.add(SIGUSR1);
    audit_switch.add(SIGUSR2);
    await_audit_switch();
  }

  // On SIGTERM no new connection is taken, and every request already read
  // is answered before moatd exits (up to kDrainLimit); idle keep-alive
  // connections and hijacked streams are closed with it.
  asio::signal_set signals(io, SIGTERM, SIGINT);
  asio::steady_timer drain(io);
  std::function<void(std::chrono::steady_clock::time_point)> wait_for_requests =
      [&](std::chrono::steady_clock::time_point deadline) {
        if (proxy::guarded_requests_in_flight() == 0 || std::chrono::steady_clock::now() > deadline) {
          if (proxy::guarded_requests_in_flight() != 0) {
            std::cerr << "moatd: stopping with " << proxy::guarded_requests_in_flight()
                      << " requests unfinished after " << kDrainLimit.count() << " s\n";
          }
          return io.stop();
        }
        drain.expires_after(kDrainPoll);
        drain.async_wait([&, deadline](boost::system::error_code ec) {
          if (!ec) wait_for_requests(deadline);
        });
      };
  signals.async_wait([&](boost::system::error_code, int) {
    std::cerr << "moatd: stopping: finishing " << proxy::guarded_requests_in_flight() << " requests in flight\n";
    boost::system::error_code ignored;
    user->close(ignored);
    control->close(ignored);
    if (egress_acceptor) egress_acceptor->close(ignored);
    ::unlink(layout.user_socket().c_str());
    ::unlink(layout.control_socket().c_str());
    timer.cancel();
    audit_switch.cancel();
    wait_for_requests(std::chrono::steady_clock::now() + kDrainLimit);
  });
  std::cerr << "moatd: serving " << layout.user_socket() << " (settings: " << api.settings().source()
            << ")\n";
  run_event_loop(io, [&](const std::string& what) {
    std::cerr << "moatd: A HANDLER FAILED: " << what << "; the connection it served may get no answer, moatd serves on\n";
    core::audit::Record record;
    record.component = core::audit::Component::kMoatd;
    record.request = "moatd event loop";
    record.rule = "moatd.handler-failed";
    record.outcome = core::audit::Outcome::kError;
    record.reason = "a handler of moatd failed (" + what + "); the connection it served may get no answer";
    (*audit)->record(std::move(record));
  });
  (*audit)->flush();
  if (!wait_for_audit_readers(kDrainLimit)) std::cerr << "moatd: stopping with audit reads unfinished\n";
  ::unlink(layout.user_socket().c_str());
  ::unlink(layout.control_socket().c_str());
  return {};
}

}  // namespace moat::moatd
