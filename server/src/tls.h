#pragma once
// TLS for `cachelab serve -Z`, with OpenSSL over memory BIOs: the socket's bytes go in and out
// through the same transport loops as a plain connection (Asio's Connection and UringWorker), and
// the decrypted bytes go to the same ConnectionCore. Neither engine knows about OpenSSL beyond
// driving a TlsSession exactly as it drives a ConnectionCore:
//   read into read_space() -> received(n) -> process() -> kWrite: write pending_replies(), then
//   written(n), then process() again; kRead: read again; kClose: close.
// Handshake records, alerts and close_notify leave through pending_replies() like any reply.
//
// TlsContext: the SSL_CTX built from memcached's -o ssl_* settings; TlsContextHolder keeps the
// one new connections use and swaps it on `refresh_certs` (connections already open keep theirs).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cachelab/protocol/server_state.h"
#include "connection_core.h"

struct ssl_ctx_st;
struct ssl_st;
struct bio_st;

namespace cachelab::server {

// memcached's value of ssl_verify_mode (OpenSSL's SSL_VERIFY_* bits) for -o ssl_verify_mode=0..3,
// and of ssl_min_version (TLS1_*_VERSION) for 0..3; -1 when out of range.
int tls_verify_flags(int mode) noexcept;
int tls_min_version_code(int level) noexcept;
// memcached's name for a -o ssl_min_version level: tlsv1.0 ... tlsv1.3.
std::string_view tls_version_text(int level) noexcept;

class TlsContext {
 public:
  // Builds the context from the settings; false and memcached's error text (one line, no CRLF)
  // when the certificate chain, key, CA file or cipher list cannot be used.
  static std::shared_ptr<TlsContext> create(const protocol::TlsSettings& settings, std::string* error);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* native() const noexcept { return ctx_; }

 private:
  explicit TlsContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
};

// The context new connections get. Thread-safe: refresh() runs on a worker thread (the
// `refresh_certs` command) while the main thread and the workers start connections.
class TlsContextHolder {
 public:
  TlsContextHolder(protocol::TlsSettings settings, std::shared_ptr<TlsContext> first)
      : settings_(std::move(settings)), current_(std::move(first)) {}
  std::shared_ptr<TlsContext> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  // Reloads the files named by the settings into a new context; on failure the old one stays
  // and `error` has memcached's text.
  bool refresh(std::string* error);

 private:
  const protocol::TlsSettings settings_;
  mutable std::mutex mutex_;
  std::shared_ptr<TlsContext> current_;
};

// One TLS connection's record layer, in memory, over the connection's ConnectionCore.
class TlsSession {
 public:
  TlsSession(const std::shared_ptr<TlsContext>& context, ConnectionCore& core, protocol::CommandStats& stats);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  std::span<char> read_space();
  void received(std::size_t n);
  ConnectionCore::Next process();
  std::string_view pending_replies() const noexcept;
  bool written(std::size_t n);

  bool handshake_done() const noexcept { return handshake_done_; }
  // Waiting for the client: no ciphertext or plaintext of an unfinished request held.
  bool waiting_for_request() const noexcept;

 private:
  static constexpr std::size_t kReadChunk = 16 * 1024 + 512;  // one TLS record and its header
  static constexpr std::size_t kKeptOutputCapacity = 64 * 1024;

  ConnectionCore::Next fail(bool handshake);
  // Decrypted bytes into the core, as many as it has room for; false on a fatal TLS error.
  bool pull_plaintext(bool* got_any);
  bool encrypt(std::string_view plain);
  ConnectionCore::Next after_output(ConnectionCore::Next otherwise);

  std::shared_ptr<TlsContext> context_;  // keeps the SSL_CTX of this connection alive
  ConnectionCore& core_;
  protocol::CommandStats& stats_;
  ssl_st* ssl_ = nullptr;
  bio_st* network_in_ = nullptr;   // ciphertext from the socket, read by OpenSSL (owned by ssl_)
  bio_st* network_out_ = nullptr;  // ciphertext from OpenSSL, for the socket (owned by ssl_)
  std::vector<char> input_;        // the socket's bytes before they go into network_in_
  bool handshake_done_ = false;
  bool handshake_counted_ = false; // a failed handshake is counted once
  bool peer_closed_ = false;       // close_notify received
  bool close_after_write_ = false;
};

}  // namespace cachelab::server
