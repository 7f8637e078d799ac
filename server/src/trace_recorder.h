#pragma once
// --trace-out: records live traffic as a csv trace (SPEC section 4) off the request path.
//
// Request threads append fixed-size records (and the key bytes) to a bounded in-memory batch
// under a mutex held for a copy; a writer thread swaps the batch out every 100 ms (or when it is
// half full) and writes it. When the batch is full the record is dropped and counted: the server
// never waits for the disk. Keys are sampled by hash (--trace-sample F keeps a key with
// probability F, and every request for it), so that a replay at capacity × F stands for the whole
// cache (SHARDS).
//
// File: a header, then one line per record:
//   time_ms,op,size,ttl_s,key
// time_ms counts from the start of the recording; op is get, set or delete (trace_sink.h);
// size = key + value bytes; ttl_s = 0 for none. A key with a comma or a quote is quoted as csv
// does; one with bytes a text key cannot hold (a meta command's binary key) is written base64:...
// Next to it, PATH.yaml: a scenario that replays the file with this server's capacity, policy and
// per-item overhead (`cachelab sim PATH.yaml`).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cachelab/protocol/trace_sink.h"

namespace cachelab::server {

struct TraceRecorderOptions {
  std::string path;
  double sample = 1.0;
  std::size_t queue_records = 1 << 16;  // records held between two writes; more are dropped
};

class TraceRecorder final : public protocol::TraceSink {
 public:
  // Opens (truncates) the file and writes the header; throws std::runtime_error if it cannot.
  explicit TraceRecorder(TraceRecorderOptions options);
  // Writes what is queued and closes the file.
  ~TraceRecorder() override;

  void record(protocol::TraceOp op, std::string_view key, std::uint64_t size, std::int64_t ttl_s) noexcept override;
  std::uint64_t recorded() const noexcept override { return recorded_.load(std::memory_order_relaxed); }
  std::uint64_t dropped() const noexcept override { return dropped_.load(std::memory_order_relaxed); }

  // Whether requests for `key` are recorded (its hash falls under the sample rate).
  bool sampled(std::string_view key) const noexcept;

 private:
  struct Record {
    std::uint64_t time_ms;
    std::uint64_t size;
    std::int64_t ttl_s;
    std::uint32_t key_offset;
    std::uint16_t key_len;
    protocol::TraceOp op;
  };
  struct Batch {
    std::vector<Record> records;
    std::vector<char> keys;
  };

  void write_loop();
  void write(const Batch& batch);

  TraceRecorderOptions options_;
  std::uint64_t threshold_;  // a key is sampled when its hash is below this
  std::FILE* out_ = nullptr;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  Batch active_;  // filled by request threads
  bool stopping_ = false;
  std::atomic<std::uint64_t> recorded_{0};
  std::atomic<std::uint64_t> dropped_{0};
  bool write_failed_ = false;  // writer thread only
  std::thread writer_;
};

}  // namespace cachelab::server
