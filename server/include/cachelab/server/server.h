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

// A setting that names a file the server cannot use (-Y's auth file, -Z's certificate, key or CA
// file, a cipher list OpenSSL refuses): the message is one line for the user (memcached's words
// for TLS), and the exit code 2.
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs until SIGTERM, SIGINT or `shutdown`; returns the process exit code. Throws
// std::invalid_argument for bad options (unknown policy...), PolicyModuleError for a module that
// cannot be used, StartupError for a file it cannot use, and std::runtime_error when it cannot
// listen.
int run_server(const ServerOptions& options);

}  // namespace cachelab::server
