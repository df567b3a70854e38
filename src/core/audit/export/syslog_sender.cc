#include "core/audit/export/syslog_sender.h"

#include <linux/sockios.h>
#include <netdb.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/audit/export/syslog_message.h"
#include "core/audit/unique_fd.h"

namespace moat::core::audit::exporter {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kConfirmPoll = std::chrono::milliseconds(5);

std::string errno_text(int err) { return std::system_category().message(err); }

// Everything OpenSSL queued about the last failure, oldest first.
std::string ssl_errors() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    if (!out.empty()) out += "; ";
    out += text.data();
  }
  return out.empty() ? "no detail from OpenSSL" : out;
}

std::string seconds_text(std::chrono::milliseconds timeout) {
  return std::to_string(static_cast<double>(timeout.count()) / 1000.0).substr(0, 4) + " s";
}

// Waits until fd is ready for `events` or the deadline passes.
Result<void> wait_for(int fd, short events, Clock::time_point deadline, const std::string& what,
                      std::chrono::milliseconds timeout) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return fail(what + ": no answer within " + seconds_text(timeout));
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return fail(what + ": " + errno_text(errno));
    if (rc > 0) return {};
  }
}

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

class LocalSender final : public SyslogSender {
 public:
  explicit LocalSender(SenderOptions options) : options_(std::move(options)) {}

  Result<void> send(std::string_view message) override {
    const std::string where = "sending to the local syslog socket " + options_.local_socket;
    if (!fd_.valid()) {
      UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
      if (!fd.valid()) return fail(where + ": " + errno_text(errno));
      sockaddr_un address{};
      address.sun_family = AF_UNIX;
      if (options_.local_socket.size() >= sizeof(address.sun_path)) return fail(where + ": path too long");
      std::memcpy(address.sun_path, options_.local_socket.c_str(), options_.local_socket.size() + 1);
      if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
        return fail(where + ": " + errno_text(errno));
      }
      const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(options_.timeout).count();
      timeval tv{static_cast<time_t>(usec / 1000000), static_cast<suseconds_t>(usec % 1000000)};
      ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      fd_ = std::move(fd);
    }
    // A unix datagram is queued whole at the receiver or not at all.
    const ssize_t sent = ::send(fd_.get(), message.data(), message.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      const int err = errno;
      fd_.reset();
      return fail(where + ": " + errno_text(err));
    }
    return {};
  }

  Result<void> confirm() override { return {}; }
  void disconnect() override { fd_.reset(); }

 private:
  SenderOptions options_;
  UniqueFd fd_;
};

class StreamSender final : public SyslogSender {
 public:
  StreamSender(SenderOptions options, SslCtxPtr ctx)
      : options_(std::move(options)), ctx_(std::move(ctx)), name_(to_string(options_.target)) {}
  ~StreamSender() override { disconnect(); }
  StreamSender(const StreamSender&) = delete;
  StreamSender& operator=(const StreamSender&) = delete;

  Result<void> send(std::string_view message) override {
    if (fd_.valid() && !still_open()) disconnect();
    if (!fd_.valid()) {
      if (auto connected = connect(); !connected) {
        disconnect();
        return connected;
      }
    }
    const std::string frame = octet_counted_frame(message);
    if (auto written = write_all(frame); !written) {
      disconnect();
      return written;
    }
    return {};
  }

  Result<void> confirm() override {
    if (!fd_.valid()) return fail("sending to " + name_ + ": not connected");
    const auto deadline = Clock::now() + options_.timeout;
    for (;;) {
      if (!still_open()) {
        disconnect();
        return fail("sending to " + name_ + ": the collector closed the connection");
      }
      int unacknowledged = 0;
      if (::ioctl(fd_.get(), SIOCOUTQ, &unacknowledged) != 0) {
        const int err = errno;
        disconnect();
        return fail("sending to " + name_ + ": " + errno_text(err));
      }
      if (unacknowledged == 0) return {};
      if (Clock::now() > deadline) {
        disconnect();
        return fail("sending to " + name_ + ": the collector did not take " +
                    std::to_string(unacknowledged) + " bytes within " + seconds_text(options_.timeout));
      }
      std::this_thread::sleep_for(kConfirmPoll);
    }
  }

  void disconnect() override {
    if (ssl_ != nullptr) {
      SSL_shutdown(ssl_);  // best effort; the socket is non-blocking
      SSL_free(ssl_);
      ssl_ = nullptr;
    }
    fd_.reset();
    ERR_clear_error();
  }

 private:
  // A syslog collector never speaks first or answers, so anything readable
  // on the connection is its end of it (or, with TLS 1.3, session tickets).
  bool still_open() {
    if (ssl_ != nullptr) {
      std::array<char, 4096> sink{};
      for (;;) {
        const int n = SSL_read(ssl_, sink.data(), static_cast<int>(sink.size()));
        if (n > 0) continue;
        const int error = SSL_get_error(ssl_, n);
        ERR_clear_error();
        return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE;
      }
    }
    std::array<char, 4096> sink{};
    for (;;) {
      const ssize_t n = ::recv(fd_.get(), sink.data(), sink.size(), MSG_DONTWAIT);
      if (n > 0) continue;
      if (n < 0 && errno == EINTR) continue;
      return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
  }

  Result<void> connect() {
    const auto deadline = Clock::now() + options_.timeout;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (options_.target.host_is_ip ? AI_NUMERICHOST : 0);
    addrinfo* found = nullptr;
    const std::string port = std::to_string(options_.target.port);
    if (const int rc = ::getaddrinfo(options_.target.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
      return fail("connecting to " + name_ + ": cannot resolve " + options_.target.host + ": " +
                  ::gai_strerror(rc));
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
    std::string last_error = "no address";
    for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
      UniqueFd fd(::socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
      if (!fd.valid()) {
        last_error = errno_text(errno);
        continue;
      }
      if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
          last_error = errno_text(errno);
          continue;
        }
        if (auto ready = wait_for(fd.get(), POLLOUT, deadline, "connecting to " + name_, options_.timeout);
            !ready) {
          return ready;
        }
        int error = 0;
        socklen_t length = sizeof(error);
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
          last_error = errno_text(error);
          continue;
        }
      }
      const int on = 1;
      ::setsockopt(fd.get(), SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
      fd_ = std::move(fd);
      break;
    }
    if (!fd_.valid()) return fail("connecting to " + name_ + ": " + last_error);
    if (ctx_) return handshake(deadline);
    return {};
  }

  Result<void> handshake(Clock::time_point deadline) {
    const std::string what = "TLS handshake with " + name_;
    ERR_clear_error();
    ssl_ = SSL_new(ctx_.get());
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_.get()) != 1) return fail(what + ": " + ssl_errors());
    const std::string& host = options_.target.host;
    if (options_.target.host_is_ip) {
      if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str()) != 1) {
        return fail(what + ": " + ssl_errors());
      }
    } else if (  // SSL_set_tlsext_host_name, without the macro's C cast
        SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                 const_cast<char*>(host.c_str())) != 1 || SSL_set1_host(ssl_, host.c_str()) != 1) {
      return fail(what + ": " + ssl_errors());
    }
    for (;;) {
      const int rc = SSL_connect(ssl_);
      if (rc == 1) return {};
      const int error = SSL_get_error(ssl_, rc);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        const short events = error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
        if (auto ready = wait_for(fd_.get(), events, deadline, what, options_.timeout); !ready) return ready;
        continue;
      }
      const long verify = SSL_get_verify_result(ssl_);
      if (verify != X509_V_OK) {
        ERR_clear_error();
        return fail(what + ": the collector's certificate is refused: " +
                    X509_verify_cert_error_string(verify) + " (it must chain to " + options_.ca_file +
                    " and name " + host + ")");
      }
      if (error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
        return fail(what + ": the connection was closed during the handshake");
      }
      return fail(what + ": " + ssl_errors());
    }
  }

  Result<void> write_all(std::string_view data) {
    const auto deadline = Clock::now() + options_.timeout;
    const std::string what = "sending to " + name_;
    std::size_t done = 0;
    while (done < data.size()) {
      if (ssl_ != nullptr) {
        // Without partial writes SSL_write sends all or asks to be called
        // again with the same arguments.
        const int n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
        if (n > 0) return {};
        const int error = SSL_get_error(ssl_, n);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
          const short events = error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
          if (auto ready = wait_for(fd_.get(), events, deadline, what, options_.timeout); !ready) return ready;
          continue;
        }
        if (error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
          return fail(what + ": " + (errno != 0 ? errno_text(errno) : "the connection was closed"));
        }
        return fail(what + ": " + ssl_errors());
      }
      const ssize_t n = ::send(fd_.get(), data.data() + done, data.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) {
        done += static_cast<std::size_t>(n);
        continue;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return fail(what + ": " + errno_text(errno));
      if (auto ready = wait_for(fd_.get(), POLLOUT, deadline, what, options_.timeout); !ready) return ready;
    }
    return {};
  }

  SenderOptions options_;
  SslCtxPtr ctx_;
  std::string name_;
  UniqueFd fd_;
  SSL* ssl_ = nullptr;
};

Result<SslCtxPtr> make_tls_context(const SenderOptions& options) {
  // OpenSSL writes to the socket with write(), which raises SIGPIPE when the
  // collector is gone; the exporter wants the error instead.
  static std::once_flag once;
  std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return fail("creating a TLS context: " + ssl_errors());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (options.ca_file.empty()) {
    return fail("a tls syslog target needs a CA file (setting moat.audit.syslogCaFile) to check the collector");
  }
  if (SSL_CTX_load_verify_locations(ctx.get(), options.ca_file.c_str(), nullptr) != 1) {
    return fail("loading the syslog CA file " + options.ca_file + ": " + ssl_errors());
  }
  if (options.client_cert_file.empty() != options.client_key_file.empty()) {
    return fail("a syslog client certificate needs its key and the key its certificate "
                "(settings moat.audit.syslogClientCert and moat.audit.syslogClientKey)");
  }
  if (!options.client_cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), options.client_cert_file.c_str()) != 1) {
      return fail("loading the syslog client certificate " + options.client_cert_file + ": " + ssl_errors());
    }
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), options.client_key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx.get()) != 1) {
      return fail("loading the syslog client key " + options.client_key_file + ": " + ssl_errors());
    }
  }
  return ctx;
}

}  // namespace

Result<std::unique_ptr<SyslogSender>> make_syslog_sender(const SenderOptions& options) {
  switch (options.target.transport) {
    case SyslogTransport::kLocal:
      return std::unique_ptr<SyslogSender>(std::make_unique<LocalSender>(options));
    case SyslogTransport::kTcp:
      return std::unique_ptr<SyslogSender>(std::make_unique<StreamSender>(options, nullptr));
    case SyslogTransport::kTls: {
      auto ctx = make_tls_context(options);
      if (!ctx) return unexpected(std::move(ctx).error());
      return std::unique_ptr<SyslogSender>(std::make_unique<StreamSender>(options, std::move(*ctx)));
    }
  }
  return fail("unknown syslog transport");
}

}  // namespace moat::core::audit::exporter
