// cachelab bench: a closed-loop load generator for any memcached-protocol server. Each connection
// has its own thread and blocking socket: it sends `--pipeline` requests, reads their replies, and
// records each request's latency (the batch's round trip) in a log-linear histogram. With --tls-ca
// it speaks TLS (OpenSSL over the blocking socket); --handshakes measures new connections per second.
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "command.h"
#include "options.h"

namespace cachelab::cli {
namespace {

using Clock = std::chrono::steady_clock;

// HDR-style histogram: 64 sub-buckets per power of two of nanoseconds (~1.6% resolution).
class LatencyHistogram {
 public:
  void record(std::uint64_t ns) {
    ++counts_[index(ns)];
    ++total_;
  }
  void merge(const LatencyHistogram& o) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
    total_ += o.total_;
  }
  std::uint64_t total() const { return total_; }
  // The value below which `q` of the samples fall (upper edge of its bucket), in ns.
  double quantile(double q) const {
    const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank && counts_[i]) return upper(i);
    }
    return 0;
  }

 private:
  static constexpr int kSub = 64;
  static std::size_t index(std::uint64_t ns) {
    if (ns < kSub) return static_cast<std::size_t>(ns);
    const int exp = 63 - __builtin_clzll(ns);  // ns in [2^exp, 2^(exp+1))
    const int shift = exp - 6;
    return static_cast<std::size_t>((exp - 5) * kSub + static_cast<int>((ns >> shift) - kSub));
  }
  static double upper(std::size_t i) {
    if (i < kSub) return static_cast<double>(i + 1);
    const int exp = static_cast<int>(i / kSub) + 5;
    const std::uint64_t sub = i % kSub;
    return std::ldexp(static_cast<double>(kSub + sub + 1), exp - 6);
  }
  std::array<std::uint64_t, 64 * 60> counts_{};
  std::uint64_t total_ = 0;
};

struct BenchConfig {
  std::string host;
  std::string port;
  int connections = 32;
  int pipeline = 1;
  int multiget = 1;
  double get_ratio = 0.9;
  std::uint64_t keys = 100000;
  std::size_t value_size = 100;
  double duration_s = 10;
  SSL_CTX* tls = nullptr;  // --tls-ca: every connection speaks TLS
  bool binary = false;     // memcached's binary protocol (get: getkq... getk; set: set)
};

// --tls-ca FILE (trusted CA), --tls-cert/--tls-key (a client certificate for mutual TLS).
SSL_CTX* make_client_tls(const std::string& ca, const std::string& cert, const std::string& key) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx || SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1)
    throw std::runtime_error("--tls-ca " + ca + ": cannot load it");
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (!cert.empty() && (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1 ||
                        SSL_CTX_use_PrivateKey_file(ctx, (key.empty() ? cert : key).c_str(), SSL_FILETYPE_PEM) != 1))
    throw std::runtime_error("--tls-cert " + cert + ": cannot load it or its key");
  return ctx;
}

int connect_to(const BenchConfig& c) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(c.host.c_str(), c.port.c_str(), &hints, &found) != 0 || !found)
    throw std::runtime_error("cannot resolve " + c.host + ":" + c.port);
  const int fd = ::socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  const int ok = fd >= 0 ? ::connect(fd, found->ai_addr, found->ai_addrlen) : -1;
  freeaddrinfo(found);
  if (ok != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot connect to " + c.host + ":" + c.port + ": " + std::strerror(errno));
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// A blocking connection with a read buffer that understands just enough of the replies.
class Connection {
 public:
  explicit Connection(const BenchConfig& c) : fd_(connect_to(c)) {
    if (!c.tls) return;
    ssl_ = SSL_new(c.tls);
    if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1 || SSL_connect(ssl_) != 1) {
      char text[256] = "";
      ERR_error_string_n(ERR_get_error(), text, sizeof text);
      ERR_clear_error();
      SSL_free(ssl_);
      ::close(fd_);
      throw std::runtime_error(std::string("TLS handshake failed: ") + text);
    }
  }
  ~Connection() {
    SSL_free(ssl_);
    ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void send_all(const std::string& bytes) {
    for (std::size_t sent = 0; sent < bytes.size();) {
      const ssize_t n = ssl_ ? SSL_write(ssl_, bytes.data() + sent, static_cast<int>(bytes.size() - sent))
                             : ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      sent += static_cast<std::size_t>(n);
    }
  }
  // Reads binary reply packets up to the one whose opcode is `last` (a get's quiet hits come
  // first). False when that one reports an error other than a miss.
  bool read_binary_reply(unsigned char last) {
    for (;;) {
      while (buffer_.size() - start_ < 24) fill();
      const auto* h = reinterpret_cast<const unsigned char*>(buffer_.data() + start_);
      const unsigned char opcode = h[1];
      const unsigned status = static_cast<unsigned>(h[6]) << 8 | h[7];
      const std::size_t body = std::size_t{h[8]} << 24 | std::size_t{h[9]} << 16 | std::size_t{h[10]} << 8 | h[11];
      start_ += 24;
      skip(body);
      if (opcode == last) return status == 0 || (status == 1 && last != 0x01);
    }
  }
  // Reads one reply: a storage reply line, or VALUE blocks up to END. False on an error reply.
  bool read_reply(bool is_get) {
    for (;;) {
      const std::string line = read_line();
      if (!is_get) return line == "STORED";
      if (line == "END") return true;
      if (line.rfind("VALUE ", 0) != 0) return false;
      const std::size_t bytes = std::stoull(line.substr(line.rfind(' ') + 1));
      skip(bytes + 2);
    }
  }

 private:
  void fill() {
    if (start_ > 0) {
      buffer_.erase(0, start_);
      start_ = 0;
    }
    char chunk[65536];
    const ssize_t n = ssl_ ? SSL_read(ssl_, chunk, sizeof chunk) : ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) throw std::runtime_error("connection closed by the server");
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  std::string read_line() {
    for (;;) {
      const std::size_t end = buffer_.find("\r\n", start_);
      if (end != std::string::npos) {
        std::string line = buffer_.substr(start_, end - start_);
        start_ = end + 2;
        return line;
      }
      fill();
    }
  }
  void skip(std::size_t n) {
    while (buffer_.size() - start_ < n) fill();
    start_ += n;
  }

  int fd_;
  SSL* ssl_ = nullptr;
  std::string buffer_;
  std::size_t start_ = 0;
};

// A binary request packet: header, extras, key, value.
std::string packet(unsigned char opcode, std::string_view key, std::string_view extras = {},
                   std::string_view value = {}) {
  std::string p(24, '\0');
  p[0] = static_cast<char>(0x80);
  p[1] = static_cast<char>(opcode);
  p[2] = static_cast<char>(key.size() >> 8);
  p[3] = static_cast<char>(key.size());
  p[4] = static_cast<char>(extras.size());
  const std::size_t body = extras.size() + key.size() + value.size();
  for (int i = 0; i < 4; ++i) p[8 + i] = static_cast<char>(body >> (24 - 8 * i));
  p.append(extras);
  p.append(key);
  p.append(value);
  return p;
}
const std::string kSetExtras(8, '\0');  // flags 0, no expiry

std::string key_of(std::uint64_t k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "key:%07llu", static_cast<unsigned long long>(k));
  return buf;
}

struct WorkerResult {
  LatencyHistogram latency;
  std::uint64_t gets = 0, sets = 0, keys_read = 0, errors = 0;
  std::string failure;
};

void run_connection(const BenchConfig& c, int id, const std::atomic<bool>& stop, WorkerResult& out) {
  try {
    Connection conn(c);
    std::mt19937_64 rng(static_cast<std::uint64_t>(id) * 7919 + 1);
    std::uniform_int_distribution<std::uint64_t> pick(0, c.keys - 1);
    std::bernoulli_distribution is_get(c.get_ratio);
    const std::string value(c.value_size, 'x');
    std::vector<bool> kinds(static_cast<std::size_t>(c.pipeline));
    std::string batch;
    while (!stop.load(std::memory_order_relaxed)) {
      batch.clear();
      for (int i = 0; i < c.pipeline; ++i) {
        kinds[static_cast<std::size_t>(i)] = is_get(rng);
        if (c.binary) {
          if (kinds[static_cast<std::size_t>(i)]) {
            // libmemcached's multi-get: getkq for all keys but the last, getk for the last
            for (int k = 0; k < c.multiget; ++k) batch += packet(k + 1 < c.multiget ? 0x0d : 0x0c, key_of(pick(rng)));
          } else {
            batch += packet(0x01, key_of(pick(rng)), kSetExtras, value);
          }
          continue;
        }
        if (kinds[static_cast<std::size_t>(i)]) {
          batch += "get";
          for (int k = 0; k < c.multiget; ++k) batch += " " + key_of(pick(rng));
          batch += "\r\n";
        } else {
          batch += "set " + key_of(pick(rng)) + " 0 0 " + std::to_string(c.value_size) + "\r\n" + value + "\r\n";
        }
      }
      const auto start = Clock::now();
      conn.send_all(batch);
      for (int i = 0; i < c.pipeline; ++i) {
        const bool get = kinds[static_cast<std::size_t>(i)];
        const bool ok = c.binary ? conn.read_binary_reply(get ? 0x0c : 0x01) : conn.read_reply(get);
        if (!ok) ++out.errors;
      }
      const auto ns = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
      for (int i = 0; i < c.pipeline; ++i) {
        out.latency.record(ns);
        if (kinds[static_cast<std::size_t>(i)]) {
          ++out.gets;
          out.keys_read += static_cast<std::uint64_t>(c.multiget);
        } else {
          ++out.sets;
        }
      }
    }
  } catch (const std::exception& e) {
    out.failure = e.what();
  }
}

// --handshakes: each thread opens a connection (with TLS, a full handshake), asks `version`, and
// closes, over and over; each round is one sample.
void run_handshakes(const BenchConfig& c, const std::atomic<bool>& stop, WorkerResult& out) {
  try {
    while (!stop.load(std::memory_order_relaxed)) {
      const auto start = Clock::now();
      {
        Connection conn(c);
        conn.send_all("version\r\n");
        (void)conn.read_reply(false);
      }
      out.latency.record(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count()));
      ++out.gets;
    }
  } catch (const std::exception& e) {
    out.failure = e.what();
  }
}

// Stores every key once so that gets hit (the server's policy and size decide what stays).
void prefill(const BenchConfig& c) {
  Connection conn(c);
  const std::string value(c.value_size, 'x');
  std::string batch;
  std::uint64_t pending = 0;
  for (std::uint64_t k = 0; k < c.keys; ++k) {
    if (c.binary)
      batch += packet(0x11, key_of(k), kSetExtras, value);  // setq
    else
      batch += "set " + key_of(k) + " 0 0 " + std::to_string(c.value_size) + " noreply\r\n" + value + "\r\n";
    if (++pending == 1000 || k + 1 == c.keys) {
      conn.send_all(batch);
      batch.clear();
      pending = 0;
    }
  }
  if (c.binary) {
    conn.send_all(packet(0x0a, {}));  // noop: answered once every setq before it is done
    (void)conn.read_binary_reply(0x0a);
    return;
  }
  conn.send_all("version\r\n");
  (void)conn.read_reply(false);  // "VERSION ..." is not STORED; it only marks the sets as done
}

int run_bench(int argc, char** argv) {
  po::options_description opts("options");
  BenchConfig c;
  std::string server;
  bool no_prefill = false, handshakes = false;
  std::string tls_ca, tls_cert, tls_key;
  opts.add_options()
      ("server", po::value(&server)->required(), "HOST:PORT of any memcached-protocol server")
      ("connections,c", po::value(&c.connections)->default_value(32), "concurrent connections (one thread each)")
      ("pipeline", po::value(&c.pipeline)->default_value(1), "requests sent per round trip on each connection")
      ("get-ratio", po::value(&c.get_ratio)->default_value(0.9), "share of gets (the rest are sets)")
      ("multiget", po::value(&c.multiget)->default_value(1), "keys per get")
      ("binary", po::bool_switch(&c.binary), "speak memcached's binary protocol (multi-get as getkq... getk)")
      ("keys", po::value(&c.keys)->default_value(100000), "key space (key:0000000 ...), uniform")
      ("value-size", po::value(&c.value_size)->default_value(100), "bytes per value")
      ("duration", po::value(&c.duration_s)->default_value(10), "seconds of load")
      ("no-prefill", po::bool_switch(&no_prefill), "do not store every key before the run")
      ("tls-ca", po::value(&tls_ca), "speak TLS, trusting this CA (PEM)")
      ("tls-cert", po::value(&tls_cert), "with --tls-ca: present this client certificate (PEM)")
      ("tls-key", po::value(&tls_key), "its key (default: in the --tls-cert file)")
      ("handshakes", po::bool_switch(&handshakes),
       "measure new connections per second instead: connect (and handshake), version, close");
  po::positional_options_description pos;
  po::variables_map vm;
  if (auto rc = parse_options(argc, argv, "cachelab bench --server HOST:PORT [options]", opts, pos, vm)) return *rc;
  const auto colon = server.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == server.size()) {
    std::fprintf(stderr, "cachelab bench: --server wants HOST:PORT, got '%s'\n", server.c_str());
    return kExitUsage;
  }
  c.host = server.substr(0, colon);
  c.port = server.substr(colon + 1);
  if (c.connections < 1 || c.connections > 4096 || c.pipeline < 1 || c.pipeline > 1024 || c.multiget < 1 ||
      c.multiget > 100 || c.keys < 1 || !(c.get_ratio >= 0 && c.get_ratio <= 1) || !(c.duration_s > 0) ||
      c.value_size > (1u << 20)) {
    std::fprintf(stderr, "cachelab bench: an option is out of range (see --help)\n");
    return kExitUsage;
  }
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> tls(nullptr, SSL_CTX_free);
  if (!tls_ca.empty()) {
    try {
      tls.reset(make_client_tls(tls_ca, tls_cert, tls_key));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cachelab bench: %s\n", e.what());
      return kExitUsage;
    }
    c.tls = tls.get();
  }
  if (!no_prefill && !handshakes) prefill(c);

  std::atomic<bool> stop{false};
  std::vector<WorkerResult> results(static_cast<std::size_t>(c.connections));
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int i = 0; i < c.connections; ++i)
    threads.emplace_back([&, i] {
      if (handshakes) {
        run_handshakes(c, stop, results[static_cast<std::size_t>(i)]);
      } else {
        run_connection(c, i, stop, results[static_cast<std::size_t>(i)]);
      }
    });
  std::this_thread::sleep_for(std::chrono::duration<double>(c.duration_s));
  stop.store(true);
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  WorkerResult all;
  for (const WorkerResult& r : results) {
    all.latency.merge(r.latency);
    all.gets += r.gets, all.sets += r.sets, all.keys_read += r.keys_read, all.errors += r.errors;
    if (!r.failure.empty() && all.failure.empty()) all.failure = r.failure;
  }
  if (!all.failure.empty()) {
    std::fprintf(stderr, "cachelab bench: %s\n", all.failure.c_str());
    return kExitFailure;
  }
  const double ops = static_cast<double>(all.gets + all.sets) / seconds;
  if (handshakes) {
    std::printf("server %s  connections %d  %s  handshakes/s %.0f\n", server.c_str(), c.connections,
                c.tls ? "tls" : "plain", ops);
    std::printf("latency us  p50 %.1f  p99 %.1f  p99.9 %.1f\n", all.latency.quantile(0.5) / 1000,
                all.latency.quantile(0.99) / 1000, all.latency.quantile(0.999) / 1000);
    return kExitOk;
  }
  std::printf("server %s  %sconnections %d  pipeline %d  multiget %d  get-ratio %.2f  keys %llu  value %zu B\n",
              server.c_str(), c.binary ? "binary  " : "", c.connections, c.pipeline, c.multiget, c.get_ratio,
              static_cast<unsigned long long>(c.keys), c.value_size);
  std::printf("ops/s %.0f  (gets %llu, sets %llu, keys read/s %.0f, errors %llu, %.1f s)\n", ops,
              static_cast<unsigned long long>(all.gets), static_cast<unsigned long long>(all.sets),
              static_cast<double>(all.keys_read) / seconds, static_cast<unsigned long long>(all.errors), seconds);
  std::printf("latency us  p50 %.1f  p99 %.1f  p99.9 %.1f\n", all.latency.quantile(0.5) / 1000,
              all.latency.quantile(0.99) / 1000, all.latency.quantile(0.999) / 1000);
  return all.errors ? kExitFailure : kExitOk;
}

}  // namespace
CACHELAB_REGISTER_COMMAND(bench, "bench", "load-test a memcached-protocol server (ops/s, p50/p99/p99.9)", run_bench);
}  // namespace cachelab::cli
