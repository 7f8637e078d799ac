#pragma once
// One client connection served through Asio's reactor (epoll): Session (ConnectionCore, behind
// TLS or not) does the protocol, this class the waiting. A write that stalls (WriteStallWatch)
// closes the connection; so does idle_timeout, checked by the worker (AsioWorker).
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <memory>
#include <unordered_set>

#include "session.h"
#include "write_stall_watch.h"

namespace cachelab::server {

using Socket = boost::asio::generic::stream_protocol::socket;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // The connections a worker serves, for its idle_timeout check; used on the worker's thread only.
  using Registry = std::unordered_set<Connection*>;

  // `tls` null: plain. `registry` (may be null) lists the connection from start() until it is freed.
  Connection(Socket socket, protocol::ServerState& state, protocol::CommandStats& stats,
             const std::shared_ptr<TlsContext>& tls = nullptr, Registry* registry = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start() {
    if (registry_) registry_->insert(this);
    read_more();
  }
  // idle_timeout: true (and the connection closed) when it has waited for a request too long.
  bool close_if_idle(std::chrono::steady_clock::time_point now);

 private:
  void read_more();
  void process();
  void write_replies();
  void close();
  void watch_writes();

  Socket socket_;
  protocol::ServerState& state_;
  Session session_;
  Registry* registry_;
  boost::asio::steady_timer stall_timer_;
  // Checked by stall_timer_ every WriteStallWatch::kCheckPeriod while writes go on, not per
  // write (arming a timer costs a syscall).
  WriteStallWatch stall_watch_;
  bool watching_ = false;  // stall_timer_ is armed
  bool reading_ = false;   // a read is pending: the connection waits for its client
};

}  // namespace cachelab::server
