#include "cachelab/server/server.h"

#include <sys/resource.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <algorithm>
#include <chrono>
#include <csignal>
#include <boost/asio.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <thread>
#include <pthread.h>
#include <vector>

#include "cachelab/module_loader.h"
#include "cachelab/policy_registry.h"
#include "cachelab/protocol/reply.h"
#include "asio_worker.h"
#include "auth_file.h"
#include "uring_worker.h"
#include "snapshot.h"
#include "tls.h"
#include "trace_recorder.h"

namespace cachelab::server {
namespace {

namespace asio = boost::asio;
using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol>;
using Endpoint = asio::generic::stream_protocol::endpoint;

// --io-engine: io_uring where the kernel allows it (auto) or where asked (uring, an error if
// unavailable); epoll through Asio otherwise. Decided once, before the state that reports it.
protocol::ServerSettings with_io_engine(const ServerOptions& o) {
  protocol::ServerSettings s = o.settings;
  std::string why;
  if (o.io_engine == "epoll") {
    s.io_engine = "epoll";
  } else if (UringWorker::supported(&why)) {
    s.io_engine = "io_uring";
  } else if (o.io_engine == "uring") {
    throw std::runtime_error("--io-engine uring: io_uring is not available here (" + why + ")");
  } else {
    s.io_engine = "epoll";
    if (o.verbose > 0) std::fprintf(stderr, "cachelab serve: io_uring not available (%s): using epoll\n", why.c_str());
  }
  return s;
}

// One address to listen on, from -l (memcached's syntax: a comma list of HOST, HOST:PORT,
// [IPV6]:PORT, `*`, each optionally prefixed `notls:` to be plain beside TLS ones under -Z).
struct ListenSpec {
  std::string host;
  int port = 0;
  bool tls = false;
};

std::vector<ListenSpec> listen_specs(const protocol::ServerSettings& s) {
  std::vector<ListenSpec> out;
  std::size_t at = 0;
  const std::string& list = s.interface;
  while (at <= list.size()) {
    std::size_t end = list.find_first_of(",;", at);
    if (end == std::string::npos) end = list.size();
    std::string item = list.substr(at, end - at);
    at = end + 1;
    if (item.empty()) continue;
    ListenSpec spec;
    spec.port = s.port;
    spec.tls = s.tls.enabled;
    if (item.rfind("notls:", 0) == 0) {
      if (!s.tls.enabled) throw std::invalid_argument("'notls' option is valid only when SSL is enabled");
      spec.tls = false;
      item.erase(0, 6);
    }
    std::string port_text;
    if (!item.empty() && item[0] == '[') {  // [IPv6] or [IPv6]:PORT
      const std::size_t close = item.find(']');
      if (close == std::string::npos) throw std::invalid_argument("Invalid IPV6 address: \"" + item + "\"");
      spec.host = item.substr(1, close - 1);
      if (close + 1 < item.size() && item[close + 1] == ':') port_text = item.substr(close + 2);
    } else if (const std::size_t colon = item.find(':');
               colon != std::string::npos && item.find(':', colon + 1) == std::string::npos) {
      spec.host = item.substr(0, colon);  // HOST:PORT (a bare IPv6 address has several colons)
      port_text = item.substr(colon + 1);
    } else {
      spec.host = item;
    }
    if (!port_text.empty()) {
      if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(port_text) > 65535)
        throw std::invalid_argument("Invalid port number: \"" + port_text + "\"");
      spec.port = std::stoi(port_text);
    }
    if (spec.host == "*") spec.host = "0.0.0.0";
    out.push_back(spec);
  }
  if (out.empty()) throw std::invalid_argument("-l names no address");
  return out;
}

// Reclaims expired items in the background, so that dead items never push out live ones.
constexpr auto kReclaimPeriod = std::chrono::milliseconds(100);
constexpr std::size_t kReclaimBucketsPerShard = 4096;

class Server {
 public:
  explicit Server(const ServerOptions& options)
      : options_(options),
        store_(options.store, shard_count(options), store_factory(options)),
        state_(store_, clock_, with_io_engine(options), static_cast<std::size_t>(options.settings.threads)),
        signals_(main_io_, SIGINT, SIGTERM, SIGUSR1),
        reload_signal_(main_io_, SIGHUP),
        reclaim_timer_(main_io_) {
    state_.verbosity.store(options.verbose, std::memory_order_relaxed);
    if (!options.trace_path.empty()) {
      trace_ = std::make_unique<TraceRecorder>(TraceRecorderOptions{
          .path = options.trace_path, .sample = options.trace_sample, .queue_records = options.trace_queue_records});
      write_trace_scenario(options);
      state_.trace = trace_.get();
    }
    // `shutdown` and `shutdown graceful` stop alike here (memcached's graceful mode matters for
    // its restartable memory file; the snapshot is written either way).
    state_.request_shutdown = [this](bool) { asio::post(main_io_, [this] { stop(); }); };
    if (!state_.settings.auth_file.empty()) {
      std::string error;
      auto table = read_auth_file(state_.settings.auth_file, &error);
      if (!table) throw StartupError(error);
      state_.auth.set(std::move(table));
    }
    start_tls();
  }

  int run() {
    std::signal(SIGPIPE, SIG_IGN);  // a client gone mid-write is an error code, not a kill
    // A snapshot past the file-size limit (ulimit -f) fails with EFBIG and is reported, instead
    // of the default action of SIGXFSZ killing the server before it can say so.
    std::signal(SIGXFSZ, SIG_IGN);
    raise_fd_limit();
    load_snapshot_if_any();
    const std::string where = listen_all();
    for (std::size_t i = 0; i < state_.worker_count(); ++i) workers_.push_back(make_worker(state_.worker_stats(i)));
    for (auto& w : workers_)
      threads_.emplace_back([&w = *w] {
        pthread_setname_np(pthread_self(), "cl-worker");  // as memcached's mc-worker: for top -H, perf
        w.run();
      });
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) stop();
    });
    wait_reload_signal();
    schedule_reclaim();
    for (auto& l : listeners_) accept(l);
    std::printf("cachelab listening on %s\n", where.c_str());
    std::fflush(stdout);
    main_io_.run();  // until stop()
    for (auto& t : threads_) t.join();
    // Let the cancelled accept's handler run (and drop its socket).
    main_io_.restart();
    main_io_.run();
    workers_.clear();  // and with them every connection still open (closed)
    return save_snapshot_if_asked() ? 0 : 1;
  }

 private:
  std::unique_ptr<Worker> make_worker(protocol::CommandStats& stats) {
    if (state_.settings.io_engine == "io_uring") {
      std::string why;
      if (auto w = UringWorker::create(state_, stats, &why)) return w;
      throw std::runtime_error("io_uring: " + why);  // it worked a moment ago (supported())
    }
    return std::make_unique<AsioWorker>(state_, stats);
  }

  // A built-in policy by name, or a policy module: the shards cannot tell the difference.
  static ShardedStore::StoreFactory store_factory(const ServerOptions& o) {
    const PolicyInfo* info = PolicyRegistry::instance().find(o.policy);
    if (o.policy_module.empty() && info && info->simulator_only)
      throw std::invalid_argument("policy " + o.policy + " needs to know each request's future: it exists in the simulator only");
    if (!o.policy_module.empty())
      return [&o](const StoreConfig& part) { return make_module_store(o.policy_module, part, o.policy_args); };
    return [&o](const StoreConfig& part) { return make_store(o.policy, part, o.policy_args); };
  }

  static std::size_t shard_count(const ServerOptions& o) {
    // More shards than threads so that threads rarely wait on the same lock.
    return static_cast<std::size_t>(std::max(o.settings.threads, 1)) * 4;
  }

  // Like memcached: make room for -c connections (plus listeners, snapshot, logs) if the hard
  // limit allows it.
  void raise_fd_limit() const {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    const rlim_t wanted = static_cast<rlim_t>(options_.settings.max_connections) + 64;
    if (limit.rlim_cur >= wanted) return;
    limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }

  // -Z: the TLS context, from -o ssl_*; a file that cannot be used stops the start (exit 2).
  void start_tls() {
    const auto& tls = options_.settings.tls;
    if (!tls.enabled) return;
    std::string error;
    std::shared_ptr<TlsContext> first = TlsContext::create(tls, &error);
    if (!first) throw StartupError(error);
    tls_ = std::make_unique<TlsContextHolder>(tls, std::move(first));
    state_.certs_loaded_unix.store(state_.clock.unix_now(), std::memory_order_relaxed);
    state_.refresh_certs = [this](std::string* e) { return tls_->refresh(e); };
  }

  // Every listener of -l (or the unix socket); the ready line names them all.
  std::string listen_all() {
    const auto& s = options_.settings;
    if (!s.unix_socket.empty()) {  // never TLS, as memcached's unix socket
      ::unlink(s.unix_socket.c_str());  // a stale socket file from an earlier run
      listeners_.push_back(Listener{open_acceptor(Endpoint(asio::local::stream_protocol::endpoint(s.unix_socket))), false});
      return s.unix_socket;
    }
    std::string where;
    const std::vector<ListenSpec> specs = listen_specs(s);
    for (const ListenSpec& spec : specs) {
      if (!where.empty()) where += ", ";
      if (s.tls.enabled && !spec.tls) where += "notls:";
      where += listen(spec);
    }
    return where;
  }

  std::string listen(const ListenSpec& spec) {
    asio::ip::tcp::resolver resolver(main_io_);
    const auto results =
        resolver.resolve(spec.host, std::to_string(spec.port),
                         asio::ip::tcp::resolver::passive | asio::ip::tcp::resolver::numeric_service);
    if (results.empty()) throw std::runtime_error("cannot resolve " + spec.host);
    const asio::ip::tcp::endpoint tcp = results.begin()->endpoint();
    listeners_.push_back(Listener{open_acceptor(Endpoint(tcp)), spec.tls});
    // Port 0 asks the system for a free port: report the one it chose.
    const Acceptor& acceptor = *listeners_.back().acceptor;
    asio::ip::tcp::endpoint bound;
    std::memcpy(bound.data(), acceptor.local_endpoint().data(), acceptor.local_endpoint().size());
    const std::string host = tcp.address().is_v6() ? "[" + spec.host + "]" : spec.host;
    return host + ":" + std::to_string(bound.port());
  }

  std::unique_ptr<Acceptor> open_acceptor(const Endpoint& endpoint) {
    auto acceptor = std::make_unique<Acceptor>(main_io_);
    try {
      acceptor->open(endpoint.protocol());
      if (endpoint.protocol().family() != AF_UNIX) acceptor->set_option(Acceptor::reuse_address(true));
      acceptor->bind(endpoint);
      acceptor->listen(1024);
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error(std::string("cannot listen: ") + e.what());
    }
    return acceptor;
  }

  struct Listener {
    std::unique_ptr<Acceptor> acceptor;
    bool tls = false;  // its connections speak TLS (-Z, not notls:)
  };

  void accept(Listener& listener) {
    Worker& worker = *workers_[next_worker_++ % workers_.size()];
    listener.acceptor->async_accept(main_io_, [this, &worker, &listener](const boost::system::error_code& ec, Socket socket) {
      if (ec == asio::error::operation_aborted || !listener.acceptor->is_open()) return;
      if (!ec) {
        admit(worker, std::move(socket), listener.tls);
        accept(listener);
        return;
      }
      // Out of file descriptors (or another accept error): retrying at once would spin at
      // full CPU; wait a moment, the connections being served go on meanwhile.
      if (options_.verbose > 0) std::fprintf(stderr, "cachelab serve: accept: %s\n", ec.message().c_str());
      auto retry = std::make_shared<asio::steady_timer>(main_io_, std::chrono::milliseconds(100));
      retries_.push_back(retry);
      retry->async_wait([this, &listener, retry](const boost::system::error_code& wait_ec) {
        std::erase(retries_, retry);
        if (!wait_ec && !stopping_) accept(listener);
      });
    });
  }

  // Over the connection limit, the new connection is told so and closed; the others go on.
  void admit(Worker& worker, Socket socket, bool tls) {
    auto& conns = state_.connections;
    if (conns.current.load(std::memory_order_relaxed) >= options_.settings.max_connections) {
      conns.rejected.fetch_add(1, std::memory_order_relaxed);
      boost::system::error_code ignored;
      const std::string text = std::string(protocol::reply::kTooManyConnections) + "\r\n";
      asio::write(socket, asio::buffer(text), ignored);
      socket.close(ignored);
      return;
    }
    conns.current.fetch_add(1, std::memory_order_relaxed);
    conns.total.fetch_add(1, std::memory_order_relaxed);
    if (options_.settings.unix_socket.empty()) {
      boost::system::error_code ignored;
      socket.set_option(asio::ip::tcp::no_delay(true), ignored);  // replies must not wait for Nagle
    }
    worker.adopt(std::move(socket), tls && tls_ ? tls_->current() : nullptr);
  }

  void schedule_reclaim() {
    reclaim_timer_.expires_after(kReclaimPeriod);
    reclaim_timer_.async_wait([this](const boost::system::error_code& ec) {
      // A timer that expired just before stop() completes without an error: without the flag it
      // would re-arm itself during the final drain of main_io_ and the process would never exit.
      if (ec || stopping_) return;
      const std::int64_t now_unix = state_.clock.unix_now();
      state_.run_due_flush(now_unix);
      const Tick now = state_.clock.tick_of_unix(now_unix);
      store_.each_shard([now](Store& s) { s.reclaim_expired(now, kReclaimBucketsPerShard); });
      schedule_reclaim();
    });
  }

  // SIGHUP re-reads the -Y file, as memcached does. A file that cannot be used keeps the users
  // in force (and says so): a typo must not lock everyone out, nor let everyone in.
  void wait_reload_signal() {
    reload_signal_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec || stopping_) return;
      if (!state_.settings.auth_file.empty()) {
        std::string error;
        if (auto table = read_auth_file(state_.settings.auth_file, &error)) {
          state_.auth.set(std::move(table));
          if (options_.verbose > 0) std::fprintf(stderr, "cachelab serve: reloaded %s\n", state_.settings.auth_file.c_str());
        } else {
          std::fprintf(stderr, "cachelab serve: SIGHUP: %s; keeping the users loaded before\n", error.c_str());
        }
      }
      wait_reload_signal();
    });
  }

  void stop() {
    stopping_ = true;
    boost::system::error_code ignored;
    for (auto& l : listeners_) l.acceptor->close(ignored);
    signals_.cancel(ignored);
    reload_signal_.cancel(ignored);
    reclaim_timer_.cancel();
    for (auto& r : retries_) r->cancel();
    for (auto& w : workers_) w->stop();
    main_io_.stop();
  }

  void load_snapshot_if_any() {
    if (options_.snapshot_path.empty()) return;
    const SnapshotLoad load = load_snapshot(options_.snapshot_path, store_, state_.clock);
    if (!load.error.empty()) {
      std::fprintf(stderr, "cachelab serve: ignoring snapshot %s: %s (cold start)\n",
                   options_.snapshot_path.c_str(), load.error.c_str());
    } else if (load.found && options_.verbose > 0) {
      std::fprintf(stderr, "cachelab serve: loaded %zu items from %s\n", load.items,
                   options_.snapshot_path.c_str());
    }
  }

  // Returns false when the snapshot could not be written (the exit code says so).
  bool save_snapshot_if_asked() {
    if (options_.snapshot_path.empty()) return true;
    try {
      const std::size_t n = save_snapshot(options_.snapshot_path, store_, state_.clock);
      if (options_.verbose > 0)
        std::fprintf(stderr, "cachelab serve: wrote %zu items to %s\n", n, options_.snapshot_path.c_str());
      return true;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cachelab serve: %s\n", e.what());
      return false;
    }
  }

  // Next to the trace, a scenario that replays it through a cache like this one: the same
  // capacity, policy and per-item overhead, the key sample scaled back (`cachelab sim PATH.yaml`).
  static void write_trace_scenario(const ServerOptions& o) {
    const std::string path = o.trace_path + ".yaml";
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
    std::string policy = o.policy_module.empty() ? "{name: " + o.policy : "{module: '" + o.policy_module + "'";
    std::string args;
    for (const auto& [k, v] : o.policy_args) args += (args.empty() ? "" : ", ") + k + ": '" + v + "'";
    policy += args.empty() ? "}" : ", args: {" + args + "}}";
    const std::string file = std::filesystem::path(o.trace_path).filename().string();
    std::fprintf(f,
                 "# Written by cachelab serve --trace-out: replays the recorded traffic through a cache like\n"
                 "# that server's (capacity, policy, per-item overhead). Run: cachelab sim %s\n"
                 "name: capture\n"
                 "cache: {capacity: %llu, policy: %s, overhead_bytes: %llu}\n"
                 "trace: {path: '%s', format: csv, header: true, time_unit: ms, replay: commands, sampled: %.17g,\n"
                 "        columns: {time: 1, op: 2, size: 3, ttl: 4, key: 5}}\n",
                 path.c_str(), static_cast<unsigned long long>(o.store.capacity), policy.c_str(),
                 static_cast<unsigned long long>(o.store.overhead_bytes), file.c_str(), o.trace_sample);
    const bool ok = std::fclose(f) == 0;
    if (!ok) throw std::runtime_error("cannot write " + path);
  }

  const ServerOptions& options_;
  protocol::SystemClock clock_;
  ShardedStore store_;
  protocol::ServerState state_;
  std::unique_ptr<TraceRecorder> trace_;  // --trace-out; outlives the workers that record into it
  asio::io_context main_io_{1};
  asio::signal_set signals_;
  asio::signal_set reload_signal_;  // SIGHUP
  asio::steady_timer reclaim_timer_;
  std::vector<std::shared_ptr<asio::steady_timer>> retries_;  // accepts waiting after an error
  std::unique_ptr<TlsContextHolder> tls_;  // -Z: the context new TLS connections get
  std::deque<Listener> listeners_;  // a deque: the pending accepts hold references to them
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::size_t next_worker_ = 0;
  bool stopping_ = false;  // set by stop(); only the main thread reads or writes it
};

// The allocator: glibc's malloc, with one arena. By default every worker thread gets its own
// arena, and the room an item frees in one arena cannot hold the next item another thread
// stores: under churn of mixed sizes each arena grows to its own high-water mark. Measured with
// bench/churn_rss.py (-m 256, values 64 B to 64 KiB, docs/BENCHMARKS.md): peak RSS 1.26 x the
// budget with per-thread arenas, 1.07 x with one; jemalloc (1.45 x, or 1.13 x with one arena and
// no decay) and mimalloc (1.29 x) did worse. Small items (<= 1 KiB) still come from each
// thread's tcache without the arena lock. MALLOC_ARENA_MAX in the environment wins.
void limit_malloc_arenas() {
#ifdef __GLIBC__
  if (!std::getenv("MALLOC_ARENA_MAX")) mallopt(M_ARENA_MAX, 1);
#endif
}

}  // namespace

int run_server(const ServerOptions& options) {
  limit_malloc_arenas();
  Server server(options);
  return server.run();
}

}  // namespace cachelab::server
