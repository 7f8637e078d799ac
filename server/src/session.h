#pragma once
// The transport-facing side of one connection, plain or TLS: both I/O engines (Asio's Connection
// and UringWorker) drive a Session with the same loop (connection_core.h describes it), and the
// parser, executor and replies behind it are the same ConnectionCore either way. With TLS, a
// TlsSession sits between the socket's bytes and the core.
//
// It also keeps the connection's last activity for idle_timeout: the transport asks idle_expired()
// on its once-a-second tick, for connections whose read is pending.
#include <chrono>
#include <memory>

#include "connection_core.h"
#include "tls.h"

namespace cachelab::server {

class Session {
 public:
  // `tls` null: a plain connection.
  Session(protocol::ServerState& state, protocol::CommandStats& stats, int id,
          const std::shared_ptr<TlsContext>& tls)
      // memcached applies idle_timeout to TCP connections only; with -s every connection is local.
      : core_(state, stats, id), idle_timeout_(state.settings.unix_socket.empty() ? state.settings.idle_timeout : 0) {
    if (tls) tls_ = std::make_unique<TlsSession>(tls, core_, stats);
    if (idle_timeout_ > 0) last_active_ = Clock::now();
  }

  std::span<char> read_space() { return tls_ ? tls_->read_space() : core_.read_space(); }
  void received(std::size_t n) {
    if (idle_timeout_ > 0) last_active_ = Clock::now();
    if (tls_) {
      tls_->received(n);
    } else {
      core_.received(n);
    }
  }
  ConnectionCore::Next process() { return tls_ ? tls_->process() : core_.process(); }
  std::string_view pending_replies() const noexcept {
    return tls_ ? tls_->pending_replies() : core_.pending_replies();
  }
  bool written(std::size_t n) { return tls_ ? tls_->written(n) : core_.written(n); }

  // idle_timeout (seconds, 0: never) has passed since the client last sent a byte, and the
  // connection waits for a new request (or for the client's side of the TLS handshake).
  bool idle_expired(std::chrono::steady_clock::time_point now) const noexcept {
    if (idle_timeout_ == 0) return false;
    if (now - last_active_ <= std::chrono::seconds(idle_timeout_)) return false;
    return tls_ ? tls_->waiting_for_request() : core_.waiting_for_request();
  }

 private:
  using Clock = std::chrono::steady_clock;
  ConnectionCore core_;
  std::unique_ptr<TlsSession> tls_;
  const std::uint32_t idle_timeout_;
  Clock::time_point last_active_{};
};

}  // namespace cachelab::server
