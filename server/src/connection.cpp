#include "connection.h"

namespace cachelab::server {

namespace asio = boost::asio;

Connection::Connection(Socket socket, protocol::ServerState& state, protocol::CommandStats& stats,
                       const std::shared_ptr<TlsContext>& tls, Registry* registry)
    : socket_(std::move(socket)),
      state_(state),
      session_(state, stats, static_cast<int>(socket_.native_handle()), tls),
      registry_(registry),
      stall_timer_(socket_.get_executor()) {}

Connection::~Connection() {
  if (registry_) registry_->erase(this);
}

bool Connection::close_if_idle(std::chrono::steady_clock::time_point now) {
  if (!reading_ || !socket_.is_open() || !session_.idle_expired(now)) return false;
  close();  // the pending read ends with an error and frees the connection
  return true;
}

// Armed by a write when not already armed; ticks while writes go on, so an idle connection costs
// no wake-ups. A stalled write closes the connection (the pending write then ends with an error
// and the connection is freed). The timer holds no reference to it.
void Connection::watch_writes() {
  watching_ = true;
  stall_watch_.mark();
  stall_timer_.expires_after(WriteStallWatch::kCheckPeriod);
  std::weak_ptr<Connection> weak = weak_from_this();
  stall_timer_.async_wait([weak](const boost::system::error_code& ec) {
    const auto self = weak.lock();
    if (!self) return;
    self->watching_ = false;
    if (ec || !self->socket_.is_open()) return;
    if (self->stall_watch_.stalled()) {
      self->state_.connections.write_stalled.fetch_add(1, std::memory_order_relaxed);
      self->close();
      return;
    }
    if (self->stall_watch_.writing()) self->watch_writes();
  });
}

void Connection::read_more() {
  const std::span<char> space = session_.read_space();
  if (space.empty()) {  // cannot happen while the parser keeps its bounds; never spin
    close();
    return;
  }
  auto self = shared_from_this();
  reading_ = true;
  socket_.async_read_some(asio::buffer(space.data(), space.size()),
                          [self](const boost::system::error_code& ec, std::size_t n) {
                            self->reading_ = false;
                            if (ec) return;  // peer closed or server stopping: drop the connection
                            self->session_.received(n);
                            self->process();
                          });
}

void Connection::process() {
  switch (session_.process()) {
    case ConnectionCore::Next::kWrite: write_replies(); break;
    case ConnectionCore::Next::kRead: read_more(); break;
    case ConnectionCore::Next::kClose: close(); break;
  }
}

void Connection::write_replies() {
  auto self = shared_from_this();
  stall_watch_.begin();
  if (!watching_) watch_writes();
  // The completion condition runs after each write_some: it marks progress for watch_writes().
  auto progress = [this](const boost::system::error_code& ec, std::size_t) -> std::size_t {
    stall_watch_.progressed();
    return ec ? 0 : std::size_t{65536};
  };
  const std::string_view replies = session_.pending_replies();
  asio::async_write(socket_, asio::buffer(replies.data(), replies.size()), progress,
                    [self](const boost::system::error_code& ec, std::size_t n) {
                      self->stall_watch_.end();
                      if (ec) return;
                      if (self->session_.written(n)) {
                        self->process();  // requests may still wait in the input buffer
                      } else {
                        self->close();
                      }
                    });
}

void Connection::close() {
  boost::system::error_code ignored;
  stall_timer_.cancel();
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace cachelab::server
