#pragma once
// A worker whose connections wait in Asio's reactor (epoll): the portable way, used where
// io_uring is unavailable or with --io-engine epoll.
#include "connection.h"
#include "worker.h"

namespace cachelab::server {

class AsioWorker final : public Worker {
 public:
  AsioWorker(protocol::ServerState& state, protocol::CommandStats& stats) : state_(state), stats_(stats) {}

  void adopt(Socket socket, std::shared_ptr<TlsContext> tls) override {
    // Re-home the socket from the accepting thread's io_context onto this worker's.
    boost::system::error_code ec;
    const auto protocol = socket.local_endpoint(ec).protocol();
    const Socket::native_handle_type fd = socket.release(ec);
    if (ec) {  // cannot happen for a freshly accepted socket; never leak its count
      state_.connections.current.fetch_sub(1, std::memory_order_relaxed);
      return;
    }
    Socket here(io_, protocol, fd);
    auto connection = std::make_shared<Connection>(std::move(here), state_, stats_, tls, &connections_);
    boost::asio::post(io_, [connection] { connection->start(); });
  }
  void run() override {
    if (state_.settings.idle_timeout > 0) check_idle();
    io_.run();
  }
  void stop() override {
    guard_.reset();
    io_.stop();
  }
  // Connections still held by queued handlers go with the io_context, closed.
  ~AsioWorker() override = default;

 private:
  // idle_timeout: once a second, as memcached, close the connections that have waited for a
  // request longer than the timeout (stats idle_kicks). A busy connection is never waiting.
  void check_idle() {
    idle_timer_.expires_after(std::chrono::seconds(1));
    idle_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      const auto now = std::chrono::steady_clock::now();
      for (Connection* c : connections_)
        if (c->close_if_idle(now)) stats_.add(protocol::Counter::kIdleKicks);
      check_idle();
    });
  }

  protocol::ServerState& state_;
  protocol::CommandStats& stats_;
  Connection::Registry connections_;  // declared before io_: outlives the handlers that hold connections
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{io_.get_executor()};
  boost::asio::steady_timer idle_timer_{io_};
};

}  // namespace cachelab::server
