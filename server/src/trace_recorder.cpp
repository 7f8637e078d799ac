#include "trace_recorder.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "cachelab/protocol/base64.h"
#include "cachelab/types.h"

namespace cachelab::server {
namespace {

constexpr auto kWriteEvery = std::chrono::milliseconds(100);
constexpr std::size_t kMaxKeyBytes = 250;

const char* op_name(protocol::TraceOp op) {
  switch (op) {
    case protocol::TraceOp::kGet: return "get";
    case protocol::TraceOp::kSet: return "set";
    case protocol::TraceOp::kDelete: return "delete";
  }
  return "?";
}

// A key as a csv field: as is, quoted (a comma or a quote inside), or base64 (bytes a text key
// cannot hold: the line-based reader must find one record per line).
std::string key_field(std::string_view key) {
  bool plain = true, printable = true;
  for (unsigned char c : key) {
    if (c <= ' ' || c >= 0x7f) printable = false;
    if (c == ',' || c == '"') plain = false;
  }
  if (!printable) return "base64:" + protocol::base64_encode(key);
  if (plain) return std::string(key);
  std::string out = "\"";
  for (char c : key) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

TraceRecorder::TraceRecorder(TraceRecorderOptions options)
    : options_(std::move(options)),
      threshold_(options_.sample >= 1 ? UINT64_MAX
                                      : static_cast<std::uint64_t>(std::ldexp(options_.sample, 64))),
      start_(std::chrono::steady_clock::now()) {
  out_ = std::fopen(options_.path.c_str(), "w");
  if (!out_) throw std::runtime_error("cannot write the trace " + options_.path + ": " + std::strerror(errno));
  std::fputs("time_ms,op,size,ttl_s,key\n", out_);
  std::fflush(out_);
  active_.records.reserve(options_.queue_records);
  active_.keys.reserve(options_.queue_records * 32);
  writer_ = std::thread([this] { write_loop(); });
}

TraceRecorder::~TraceRecorder() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_.join();
  std::fclose(out_);
}

bool TraceRecorder::sampled(std::string_view key) const noexcept {
  return threshold_ == UINT64_MAX || hash_key(key) < threshold_;
}

void TraceRecorder::record(protocol::TraceOp op, std::string_view key, std::uint64_t size, std::int64_t ttl_s) noexcept {
  if (!sampled(key)) return;
  const auto now = std::chrono::steady_clock::now();
  const auto ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now - start_).count());
  key = key.substr(0, kMaxKeyBytes);
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    // Full (records, or key bytes past what was reserved: no allocation here): drop it.
    if (active_.records.size() >= options_.queue_records ||
        active_.keys.size() + key.size() > active_.keys.capacity()) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    active_.records.push_back({ms, size, ttl_s, static_cast<std::uint32_t>(active_.keys.size()),
                               static_cast<std::uint16_t>(key.size()), op});
    active_.keys.insert(active_.keys.end(), key.begin(), key.end());
    wake = active_.records.size() == options_.queue_records / 2;
  }
  recorded_.fetch_add(1, std::memory_order_relaxed);
  if (wake) wake_.notify_one();
}

void TraceRecorder::write_loop() {
  Batch writing;
  writing.records.reserve(options_.queue_records);
  writing.keys.reserve(options_.queue_records * 32);
  for (;;) {
    bool last;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kWriteEvery,
                     [&] { return stopping_ || active_.records.size() >= options_.queue_records / 2; });
      std::swap(active_, writing);
      last = stopping_;
    }
    write(writing);
    writing.records.clear();
    writing.keys.clear();
    if (last) return;
  }
}

void TraceRecorder::write(const Batch& batch) {
  if (batch.records.empty()) return;
  if (write_failed_) {  // the file is broken: count, do not retry every batch
    dropped_.fetch_add(batch.records.size(), std::memory_order_relaxed);
    return;
  }
  char line[96];
  for (const Record& r : batch.records) {
    const int n = std::snprintf(line, sizeof line, "%llu,%s,%llu,%lld,", static_cast<unsigned long long>(r.time_ms),
                                op_name(r.op), static_cast<unsigned long long>(r.size), static_cast<long long>(r.ttl_s));
    std::fwrite(line, 1, static_cast<std::size_t>(n), out_);
    std::fputs(key_field(std::string_view(batch.keys.data() + r.key_offset, r.key_len)).c_str(), out_);
    std::fputc('\n', out_);
  }
  if (std::fflush(out_) != 0 || std::ferror(out_)) {
    write_failed_ = true;
    dropped_.fetch_add(batch.records.size(), std::memory_order_relaxed);
    std::fprintf(stderr, "cachelab serve: writing the trace %s failed (%s): records from now on are dropped\n",
                 options_.path.c_str(), std::strerror(errno));
  }
}

}  // namespace cachelab::server
