#pragma once
// What every connection's executor shares: the store, the clock, the settings, the counters,
// and a pending delayed flush. Owned by the server (or by a test), alive for all executors.
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include "cachelab/protocol/ascii_auth.h"
#include "cachelab/protocol/clock.h"
#include "cachelab/protocol/stats.h"
#include "cachelab/protocol/trace_sink.h"
#include "cachelab/sharded_store.h"

namespace cachelab::protocol {

// memcached's TLS settings (-Z and -o ssl_*), with memcached 1.6.18's names and defaults.
struct TlsSettings {
  bool enabled = false;        // -Z / --enable-ssl
  std::string chain_cert;      // ssl_chain_cert: the certificate chain (PEM)
  std::string key;             // ssl_key: the private key (PEM), when not in chain_cert
  int keyformat = 1;           // ssl_keyformat: OpenSSL's SSL_FILETYPE_PEM (1) or _ASN1 (2)
  int verify_mode = 0;         // ssl_verify_mode: 0 none, 1 request, 2 require, 3 once
  int min_version = 2;         // ssl_min_version: 0 TLSv1, 1 TLSv1.1, 2 TLSv1.2, 3 TLSv1.3
  std::string ciphers;         // ssl_ciphers: OpenSSL's cipher list (empty: OpenSSL's default)
  std::string ca_cert;         // ssl_ca_cert: the CAs whose client certificates are accepted (PEM)
  std::uint32_t wbuf_size = 16 * 1024;  // ssl_wbuf_size (bytes; given in KiB)
  bool session_cache = false;  // ssl_session_cache: server-side session cache
  bool kernel_tls = false;     // ssl_kernel_tls: hand records to the kernel (kTLS) where it can
};

// memcached's -B: which protocol a connection may speak.
enum class Binding : std::uint8_t {
  kAuto,    // decided per connection by its first byte (0x80: binary)
  kAscii,   // text only
  kBinary,  // binary only (a connection whose first header has another magic byte is closed)
};

struct ServerSettings {
  std::string version = "1.6.18";  // what `version` and `stats` report: a memcached version
  std::string cachelab_version;    // cachelab's own, in `stats` as cachelab_version (if set)
  std::string interface = "127.0.0.1";
  int port = 11211;
  std::string unix_socket;
  std::uint64_t max_connections = 1024;
  int threads = 4;
  bool cas_enabled = true;       // -C turns CAS off
  bool allow_shutdown = false;   // -A
  bool flush_enabled = true;     // -F turns flush_all off
  std::string io_engine;         // how the server waits on sockets (io_uring, epoll): for stats
  TlsSettings tls;
  std::uint32_t idle_timeout = 0;  // -o idle_timeout=N: close connections idle N seconds (0: never)
  Binding binding = Binding::kAuto;  // -B
  bool sasl = false;               // -S: binary connections must authenticate first
  std::string auth_file;         // -Y: `user:password` lines; non-empty: connections must authenticate
};

class ServerState {
 public:
  ServerState(ShardedStore& store, const Clock& clock, ServerSettings settings, std::size_t workers);

  ShardedStore& store;
  ExpiryClock clock;
  const ServerSettings settings;
  const std::int64_t started_unix;
  std::atomic<int> verbosity{0};
  ConnectionStats connections;
  // Set by the server for --trace-out: every key a command touches is recorded there.
  TraceSink* trace = nullptr;
  // Set by the server: called by `shutdown` (with -A) from a worker thread; `graceful` is
  // memcached's `shutdown graceful` (SIGUSR1).
  std::function<void(bool graceful)> request_shutdown;
  // -Y: the users allowed in (null without -Y). Reloaded on SIGHUP.
  AuthTableSlot auth;
  // Set by the server with -Z: `refresh_certs` reloads the certificate, key and CA files for new
  // connections (from a worker thread). False, with memcached's error text, when a file cannot
  // be used: the files loaded before stay in force.
  std::function<bool(std::string* error)> refresh_certs;
  // When the certificates in force were loaded (stats time_since_server_cert_refresh).
  std::atomic<std::int64_t> certs_loaded_unix{0};

  CommandStats& worker_stats(std::size_t worker) { return workers_[worker]; }
  std::size_t worker_count() const noexcept { return workers_.size(); }
  std::uint64_t total(Counter c) const noexcept;
  void reset_counters() noexcept;

  // flush_all: at once, or at a unix time (a later flush_all replaces a pending one).
  void flush_now();
  void schedule_flush(std::int64_t at_unix) { pending_flush_.store(at_unix, std::memory_order_relaxed); }
  // Runs a pending flush whose time has come; called before each command and by the timer.
  void run_due_flush(std::int64_t now_unix);

 private:
  std::deque<CommandStats> workers_;  // a deque: atomics are not movable
  std::atomic<std::int64_t> pending_flush_{0};
};

}  // namespace cachelab::protocol
