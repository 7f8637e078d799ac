#pragma once
// What one client connection does between its socket and the engine, whichever way the socket is
// waited on (Asio's reactor, or io_uring): it owns the input buffer, parses and executes every
// complete request, and collects their replies. The transport loops:
//   read into read_space() -> received(n) -> process() says what next:
//   kWrite: write pending_replies(), then written(n), then process() again (requests may still
//           wait in the input buffer);  kRead: read again;  kClose: close.
// Requests are answered in order. Memory is bounded: the input buffer never holds more than one
// maximum request (line + -I value), and parsing pauses while the replies of the batch exceed a
// high-water mark, until they are written.
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "cachelab/protocol/ascii_auth.h"
#include "cachelab/protocol/binary.h"
#include "cachelab/protocol/executor.h"
#include "cachelab/protocol/parser.h"

namespace cachelab::server {

class ConnectionCore {
 public:
  // `id` names the connection in -vv logs (its file descriptor, as memcached prints).
  ConnectionCore(protocol::ServerState& state, protocol::CommandStats& stats, int id);
  ~ConnectionCore();  // the connection is gone: one fewer in `curr_connections`
  ConnectionCore(const ConnectionCore&) = delete;
  ConnectionCore& operator=(const ConnectionCore&) = delete;

  enum class Next { kWrite, kRead, kClose };

  // Room for the next read. Empty when none can be made (cannot happen while the parser keeps
  // its bounds): the transport then closes instead of spinning.
  std::span<char> read_space();
  void received(std::size_t n);
  Next process();
  std::string_view pending_replies() const noexcept { return replies_.bytes(); }
  // All of pending_replies() is written (n bytes). False when the connection must now close
  // (`quit`, or a line too long to resynchronise on).
  bool written(std::size_t n);
  // Between requests: nothing of an unfinished request buffered, no reply pending (what
  // idle_timeout may close, as memcached closes only connections waiting for a new command).
  bool waiting_for_request() const noexcept { return begin_ == end_ && replies_.empty(); }

 private:
  static constexpr std::size_t kInitialBuffer = 16 * 1024;
  static constexpr std::size_t kReplyHighWater = 1 << 20;
  static constexpr std::size_t kKeptReplyCapacity = 64 * 1024;

  void log_request() const;
  // -Y: runs the authentication exchange until the connection is in. False: stop processing.
  bool authenticate();
  // One request parsed and answered; false when process() must stop (more bytes needed, or
  // the connection closes).
  bool step_text();
  bool step_binary();
  bool answered(protocol::Outcome outcome, std::size_t consumed);
  std::size_t max_request_bytes() const noexcept;

  // Which protocol this connection speaks: decided by -B, or (-B auto) by its first byte.
  enum class Speaks : std::uint8_t { kUndecided, kText, kBinary };

  protocol::ServerState& state_;
  protocol::CommandStats& stats_;
  const int id_;
  protocol::RequestParser parser_;
  protocol::Executor executor_;
  protocol::Request request_;
  protocol::binary::BinaryParser binary_parser_;
  protocol::binary::BinaryExecutor binary_executor_;
  protocol::binary::Packet packet_;
  Speaks speaks_ = Speaks::kUndecided;
  protocol::ReplyBuffer replies_;
  std::vector<char> input_;
  std::size_t begin_ = 0;  // first unparsed byte
  std::size_t end_ = 0;    // one past the last received byte
  bool close_after_write_ = false;
  // With -Y, every byte goes through the gate until it lets the connection in.
  bool needs_auth_;
  protocol::AsciiAuthGate auth_gate_;
};

}  // namespace cachelab::server
