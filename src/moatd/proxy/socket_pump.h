#pragma once
// Moves bytes from one stream socket to another (unix for the Docker API,
// TCP for the egress filter), either a given count
// (the rest of a body whose length is known) or until the source ends (a
// hijacked attach/exec stream). Back-pressure is built in: nothing more is
// read from the source while the destination has not taken what was read.
//
// Zero-copy: the bytes go source -> pipe -> destination with splice(2), so
// they never enter user space. Unix stream sockets support splice in both
// directions; readiness comes from asio's async_wait on the native sockets,
// which keeps the pump on the session's single-threaded event loop. If the
// kernel refuses splice for these descriptors (EINVAL) or no pipe can be
// made (out of descriptors), the pump falls back to a buffered copy with
// asio's async_read_some/async_write.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/system/error_code.hpp>

namespace moat::moatd::proxy {

struct PumpResult {
  std::uint64_t moved = 0;
  bool source_ended = false;                // the source reached end of stream
  boost::system::error_code read_error;     // reading the source failed
  boost::system::error_code write_error;    // writing the destination failed
  bool ok() const { return !read_error && !write_error; }
};

// Instantiated for unix and TCP stream sockets (socket_pump.cc).
template <class StreamSocket>
class BasicSocketPump {
 public:
  using Socket = StreamSocket;
  using Handler = std::function<void(const PumpResult&)>;

  // `pipe_bytes` above the kernel's default 64 KiB is asked for with
  // F_SETPIPE_SZ (long TCP streams: fewer splices and wake-ups).
  BasicSocketPump(Socket& from, Socket& to, std::size_t buffer_bytes, bool use_splice,
                  std::size_t pipe_bytes = 64 * 1024);
  ~BasicSocketPump();
  BasicSocketPump(const BasicSocketPump&) = delete;
  BasicSocketPump& operator=(const BasicSocketPump&) = delete;

  // Moves `limit` bytes (nullopt: until the source ends), then calls done
  // once. `owner` (which owns the sockets and this pump) is held by every
  // pending operation, never by the pump itself: that would be a cycle
  // that outlives a destroyed io_context. One run at a time.
  void start(std::optional<std::uint64_t> limit, std::shared_ptr<void> owner, Handler done);

  bool running() const { return running_; }
  bool spliced() const { return pipe_[0] >= 0; }  // the last run used splice

 private:
  void splice_step();
  void buffered_step();
  void finish();
  std::size_t next_read_size() const;

  Socket& from_;
  Socket& to_;
  std::size_t buffer_bytes_;
  bool use_splice_;
  std::size_t pipe_bytes_;
  int pipe_[2] = {-1, -1};
  std::size_t in_pipe_ = 0;
  std::unique_ptr<char[]> buffer_;
  std::optional<std::uint64_t> limit_;
  std::weak_ptr<void> owner_;
  Handler done_;
  PumpResult result_;
  bool running_ = false;
};

using SocketPump = BasicSocketPump<boost::asio::local::stream_protocol::socket>;
using TcpSocketPump = BasicSocketPump<boost::asio::ip::tcp::socket>;

}  // namespace moat::moatd::proxy
