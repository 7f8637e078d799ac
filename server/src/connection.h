#pragma once
// One client connection served through Asio's reactor (epoll): ConnectionCore does the protocol,
// this class the waiting. A client that stops reading its replies (the write makes no progress
// for kWriteStallLimit) is closed, so that it cannot hold its buffers and its connection slot
// for ever.
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "connection_core.h"

namespace cachelab::server {

using Socket = boost::asio::generic::stream_protocol::socket;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Socket socket, protocol::ServerState& state, protocol::CommandStats& stats);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start() { read_more(); }

 private:
  // A pending write that moves no byte for this long closes the connection. Checked by a
  // per-connection timer every kStallCheck while writes go on, not per write (arming a timer
  // costs a syscall).
  static constexpr auto kStallCheck = std::chrono::seconds(1);
  static constexpr int kWriteStallLimit = 10;  // checks, i.e. seconds

  void read_more();
  void process();
  void write_replies();
  void close();
  void watch_writes();

  Socket socket_;
  protocol::ServerState& state_;
  ConnectionCore core_;
  boost::asio::steady_timer stall_timer_;
  bool writing_ = false;            // an async_write is pending
  bool watching_ = false;           // stall_timer_ is armed
  std::uint64_t write_progress_ = 0;  // bumped by each write_some of the pending write
  std::uint64_t progress_seen_ = 0;   // at the last check
  int stalled_checks_ = 0;
};

}  // namespace cachelab::server
