#include "moatd/server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "moatd/control_api.h"
#include "moatd/control_session.h"
#include "moatd/guard.h"
#include "moatd/proxy/guarded_session.h"
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

template <class Handler>
void accept_loop(UnixAcceptor& acceptor, Handler handler) {
  acceptor.async_accept([&acceptor, handler](boost::system::error_code ec, Socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) handler(std::move(socket));
    accept_loop(acceptor, handler);
  });
}

}  // namespace

Result<void> run_server(const core::stack::Layout& layout) {
  auto state = core::settings::load_settings_state(
      layout.admin_settings, layout.user_settings(),
      layout.admin_settings == core::stack::kDefaultAdminSettings);
  if (!state) {
    std::string all;
    for (const auto& p : state.error()) all += "\n  " + p;
    return fail("settings refused:" + all);
  }
  const auto effective = state->effective();
  auto audit = AuditSink::open(
      layout, effective.value("moat.audit.onWriteFailure") == "refuse",
      static_cast<std::uint64_t>(effective.value("moat.audit.rotateMegabytes").get<long long>()) << 20);
  if (!audit) return unexpected(audit.error());
  ControlApi api(layout, std::move(state).value(), **audit);

  const auto docker_gid = group_id("docker");
  if (!docker_gid) return unexpected(docker_gid.error());
  asio::io_context io;
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
  session_options->stream_body = &Guard::streams_body;
  session_options->on_malformed = [&guard](const std::string& message, const PeerCredentials& peer) {
    guard.record_malformed(message, peer);
  };
  std::shared_ptr<const proxy::SessionOptions> shared_options = std::move(session_options);
  accept_loop(*user, [shared_options](Socket s) { proxy::start_guarded_session(std::move(s), shared_options); });
  accept_loop(*control, [&api](Socket s) { start_control_session(std::move(s), api); });

  // Settings files are re-read when they change, so a broken edit is noticed
  // (and refused) at once rather than at the next restart.
  asio::steady_timer timer(io);
  std::string stamps = file_stamp(layout.admin_settings) + "|" + file_stamp(layout.user_settings());
  std::function<void()> watch = [&] {
    timer.expires_after(kReloadInterval);
    timer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      const std::string now = file_stamp(layout.admin_settings) + "|" + file_stamp(layout.user_settings());
      if (now != stamps) {
        stamps = now;
        api.reload();
        guard.refresh_runtime_state();
      }
      watch();
    });
  };
  watch();

  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](boost::system::error_code, int) {
    std::cerr << "moatd: stopping\n";
    io.stop();
  });
  std::cerr << "moatd: serving " << layout.user_socket() << " (settings: " << api.settings().source()
            << ")\n";
  io.run();
  ::unlink(layout.user_socket().c_str());
  ::unlink(layout.control_socket().c_str());
  return {};
}

}  // namespace moat::moatd
