#pragma once
// `cachelab serve`: a memcached-compatible server. -t worker threads, each with its own
// io_context; the main thread accepts, handles signals and runs the expiry timer.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "cachelab/protocol/server_state.h"
#include "cachelab/store.h"

namespace cachelab::server {

struct ServerOptions {
  protocol::ServerSettings settings;  // listen address, port, limits, -C -A -F
  std::string policy = "lru";
  std::string policy_module;          // --policy-module: a shared object instead of `policy`
  PolicyArgs policy_args;
  StoreConfig store;                  // capacity (-m), max item size (-I), evictions (-M)
  std::string snapshot_path;          // --snapshot: load at start, write on SIGTERM/SIGINT
  int verbose = 0;                    // -v, -vv
  // --trace-out PATH (empty: none), --trace-sample F, and the recording queue's size in records.
  std::string trace_path;
  double trace_sample = 1.0;
  std::size_t trace_queue_records = 1 << 16;
  // --io-engine: auto (io_uring if the kernel allows it, else epoll), uring, or epoll.
  std::string io_engine = "auto";
};

// -Z: a certificate, key or CA file (or cipher list) that cannot be used; what() is memcached's
// one-line text. The server does not start (exit 2).
struct TlsSetupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Runs until SIGTERM, SIGINT or `shutdown`; returns the process exit code. Throws
// std::invalid_argument for bad options (unknown policy...), PolicyModuleError for a module that
// cannot be used, TlsSetupError for unusable TLS files, and std::runtime_error when it cannot
// listen.
int run_server(const ServerOptions& options);

}  // namespace cachelab::server
