#include "moatd/server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "moatd/control_api.h"
#include "moatd/relay.h"
#include "moatd/unix_listener.h"

namespace moat::moatd {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
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

class ControlSession : public std::enable_shared_from_this<ControlSession> {
 public:
  ControlSession(Socket socket, ControlApi& api) : stream_(std::move(socket)), api_(api) {}

  void start() {
    peer_ = peer_credentials(stream_.socket().native_handle());
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->respond();
                     });
  }

 private:
  void respond() {
    const auto result = api_.handle(std::string(request_.method_string()),
                                    std::string(request_.target()), request_.body(), peer_);
    response_.result(result.status);
    response_.version(11);
    response_.set(http::field::content_type, "application/json");
    response_.keep_alive(false);
    response_.body() = result.body.dump() + "\n";
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(Socket::shutdown_both, ignored);
    });
  }

  beast::basic_stream<asio::local::stream_protocol> stream_;
  ControlApi& api_;
  PeerCredentials peer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

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

  const std::string engine_socket = layout.engine_socket();
  accept_loop(*user, [&engine_socket](Socket s) { start_relay(std::move(s), engine_socket); });
  accept_loop(*control, [&api](Socket s) { std::make_shared<ControlSession>(std::move(s), api)->start(); });

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
