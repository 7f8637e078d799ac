#pragma once
// One client connection served through Asio's reactor (epoll): ConnectionCore does the protocol,
// this class the waiting. A write that stalls (WriteStallWatch) closes the connection.
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <memory>

#include "connection_core.h"
#include "write_stall_watch.h"

namespace cachelab::server {

using Socket = boost::asio::generic::stream_protocol::socket;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Socket socket, protocol::ServerState& state, protocol::CommandStats& stats);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start() { read_more(); }

 private:
  void read_more();
  void process();
  void write_replies();
  void close();
  void watch_writes();

  Socket socket_;
  protocol::ServerState& state_;
  ConnectionCore core_;
  boost::asio::steady_timer stall_timer_;
  // Checked by stall_timer_ every WriteStallWatch::kCheckPeriod while writes go on, not per
  // write (arming a timer costs a syscall).
  WriteStallWatch stall_watch_;
  bool watching_ = false;  // stall_timer_ is armed
};

}  // namespace cachelab::server
