#include "moatd/proxy/socket_pump.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <mutex>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace moat::moatd::proxy {
namespace {

// A pipe holds 64 KiB by default; asking for more per splice than the pipe
// holds gains nothing.
constexpr std::size_t kPipeChunk = 64 * 1024;
// After this many bytes in one turn the pump yields to the event loop, so a
// fast stream cannot starve the other connections.
constexpr std::uint64_t kBytesPerTurn = 1U << 20;

// splice(2) into a socket has no MSG_NOSIGNAL: writing to a peer that has
// gone raises SIGPIPE, which would kill the daemon. The session wants the
// EPIPE error instead, so SIGPIPE is ignored process-wide (as daemons do).
void ignore_sigpipe() {
  static std::once_flag once;
  std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

boost::system::error_code last_error() {
  return {errno, boost::system::system_category()};
}

}  // namespace

template <class StreamSocket>
BasicSocketPump<StreamSocket>::BasicSocketPump(Socket& from, Socket& to, std::size_t buffer_bytes, bool use_splice,
                                               std::size_t pipe_bytes)
    : from_(from), to_(to), buffer_bytes_(buffer_bytes), use_splice_(use_splice), pipe_bytes_(pipe_bytes) {}

template <class StreamSocket>
BasicSocketPump<StreamSocket>::~BasicSocketPump() {
  for (int& fd : pipe_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

template <class StreamSocket>
void BasicSocketPump<StreamSocket>::start(std::optional<std::uint64_t> limit, std::shared_ptr<void> owner, Handler done) {
  limit_ = limit;
  owner_ = owner;
  done_ = std::move(done);
  result_ = PumpResult{};
  running_ = true;
  in_pipe_ = 0;
  if (use_splice_ && pipe_[0] < 0) {
    ignore_sigpipe();
    if (::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) pipe_[0] = pipe_[1] = -1;  // buffered copy
    if (pipe_[0] >= 0 && pipe_bytes_ > kPipeChunk) {
      const int size = ::fcntl(pipe_[1], F_SETPIPE_SZ, static_cast<int>(pipe_bytes_));
      pipe_bytes_ = size > 0 ? static_cast<std::size_t>(size) : kPipeChunk;
    } else {
      pipe_bytes_ = kPipeChunk;
    }
  }
  boost::system::error_code ignored;
  from_.native_non_blocking(true, ignored);
  to_.native_non_blocking(true, ignored);
  // Never complete inside start(): the caller may still be setting up.
  boost::asio::post(from_.get_executor(), [this, hold = std::move(owner)] {
    if (pipe_[0] >= 0) {
      splice_step();
    } else {
      buffered_step();
    }
  });
}

template <class StreamSocket>
std::size_t BasicSocketPump<StreamSocket>::next_read_size() const {
  const std::uint64_t chunk = pipe_[0] >= 0 ? pipe_bytes_ : buffer_bytes_;
  if (!limit_) return static_cast<std::size_t>(chunk);
  return static_cast<std::size_t>(std::min<std::uint64_t>(chunk, *limit_ - result_.moved));
}

template <class StreamSocket>
void BasicSocketPump<StreamSocket>::splice_step() {
  std::uint64_t this_turn = 0;
  while (true) {
    if (in_pipe_ == 0) {
      if (limit_ && result_.moved >= *limit_) return finish();
      const ssize_t n = ::splice(from_.native_handle(), nullptr, pipe_[1], nullptr, next_read_size(),
                                 SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
      if (n == 0) {
        result_.source_ended = true;
        return finish();
      }
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
          from_.async_wait(Socket::wait_read, [this, hold = owner_.lock()](boost::system::error_code ec) {
            if (ec) {
              result_.read_error = ec;
              return finish();
            }
            splice_step();
          });
          return;
        }
        if ((errno == EINVAL || errno == ENOSYS) && result_.moved == 0) {
          // This kernel or descriptor pair cannot splice: copy instead.
          for (int& fd : pipe_) {
            ::close(fd);
            fd = -1;
          }
          use_splice_ = false;
          return buffered_step();
        }
        result_.read_error = last_error();
        return finish();
      }
      in_pipe_ = static_cast<std::size_t>(n);
    }
    while (in_pipe_ > 0) {
      const ssize_t n = ::splice(pipe_[0], nullptr, to_.native_handle(), nullptr, in_pipe_,
                                 SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
      if (n > 0) {
        in_pipe_ -= static_cast<std::size_t>(n);
        result_.moved += static_cast<std::uint64_t>(n);
        this_turn += static_cast<std::uint64_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) {
        to_.async_wait(Socket::wait_write, [this, hold = owner_.lock()](boost::system::error_code ec) {
          if (ec) {
            result_.write_error = ec;
            return finish();
          }
          splice_step();
        });
        return;
      }
      result_.write_error = n < 0 ? last_error() : boost::system::error_code(EPIPE, boost::system::system_category());
      return finish();
    }
    if (this_turn >= kBytesPerTurn) {
      boost::asio::post(from_.get_executor(), [this, hold = owner_.lock()] { splice_step(); });
      return;
    }
  }
}

template <class StreamSocket>
void BasicSocketPump<StreamSocket>::buffered_step() {
  if (limit_ && result_.moved >= *limit_) return finish();
  if (!buffer_) buffer_ = std::make_unique_for_overwrite<char[]>(buffer_bytes_);
  from_.async_read_some(
      boost::asio::buffer(buffer_.get(), next_read_size()),
      [this, hold = owner_.lock()](boost::system::error_code ec, std::size_t n) {
        if (ec == boost::asio::error::eof) {
          result_.source_ended = true;
          return finish();
        }
        if (ec) {
          result_.read_error = ec;
          return finish();
        }
        boost::asio::async_write(to_, boost::asio::buffer(buffer_.get(), n),
                                 [this, hold](boost::system::error_code wec, std::size_t written) {
                                   result_.moved += written;
                                   if (wec) {
                                     result_.write_error = wec;
                                     return finish();
                                   }
                                   buffered_step();
                                 });
      });
}

template <class StreamSocket>
void BasicSocketPump<StreamSocket>::finish() {
  running_ = false;
  if (in_pipe_ > 0) {
    // Bytes stranded in the pipe after an error: start the next run clean.
    for (int& fd : pipe_) {
      ::close(fd);
      fd = -1;
    }
    in_pipe_ = 0;
  }
  buffer_.reset();
  Handler done = std::move(done_);
  done_ = nullptr;
  const std::shared_ptr<void> hold = owner_.lock();  // keeps *this alive through done()
  owner_.reset();
  if (done) done(result_);
}

template class BasicSocketPump<boost::asio::local::stream_protocol::socket>;
template class BasicSocketPump<boost::asio::ip::tcp::socket>;

}  // namespace moat::moatd::proxy
