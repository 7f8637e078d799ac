// CacheLib's kvcache replay traces (cachebench's KVReplayGenerator): csv whose first line names
// the columns, among op_time, key, key_size, op, op_count, size, cache_hits, ttl (key, op and
// size required; the others optional, in any order). Without such a header line the columns are
// CacheLib's default order key,op,size,op_count,key_size,ttl and the first line is a request
// (CacheLib would drop it as a failed header).
//   op: GET, GET_LEASE (reads), SET, SET_LEASE (writes), DELETE; anything else is an error here
//       (CacheLib counts it as a parse error and skips the line).
//   op_count: the line stands for that many identical requests in a row (1 to 65535).
//   size: the value's bytes; the object is charged size + key_size (the original key's length,
//       0 if the column is absent), as CacheLib stores key and value in one item.
//   op_time: in ms by default (CacheLib divides it by timestampFactor, 1000 unless configured);
//   ttl: seconds, 0 = none.
#include <array>
#include <cmath>
#include <string>

#include "cachelab/sim/trace_reader.h"
#include "line_reader.h"
#include "trace_fields.h"

namespace cachelab::sim {
namespace {

enum Field { kOpTime, kKey, kKeySize, kOp, kOpCount, kSize, kCacheHits, kTtl, kFields };
constexpr std::array<const char*, kFields> kNames = {"op_time", "key", "key_size", "op", "op_count", "size", "cache_hits", "ttl"};
constexpr std::size_t kMaxColumns = 32;

class CachelibTraceReader final : public TraceReader {
 public:
  explicit CachelibTraceReader(const TraceSpec& spec) : lines_(spec.path), spec_(spec) {
    column_.fill(-1);
    std::string_view first;
    if (!lines_.next(&first)) return;
    if (!read_header(first)) {
      // CacheLib's default order: key,op,size,op_count,key_size,ttl.
      column_.fill(-1);
      column_[kKey] = 0, column_[kOp] = 1, column_[kSize] = 2, column_[kOpCount] = 3, column_[kKeySize] = 4, column_[kTtl] = 5;
      pending_line_ = true;
    }
  }

  std::size_t read(std::span<Request> out) override {
    std::size_t n = 0;
    while (n < out.size()) {
      if (repeats_ > 0) {
        out[n++] = current_;
        --repeats_;
        continue;
      }
      std::string_view line;
      if (pending_line_) {
        pending_line_ = false;
        line = first_line_;
      } else if (!lines_.next(&line)) {
        break;
      }
      if (line.empty()) continue;
      parse(line);
    }
    return n;
  }

 private:
  // True if `line` names CacheLib's columns (at least key, op and size).
  bool read_header(std::string_view line) {
    std::string_view f[kMaxColumns];
    const std::size_t count = split_fields(line, ',', f, kMaxColumns);
    bool named = false;
    for (std::size_t i = 0; i < count; ++i)
      for (int k = 0; k < kFields; ++k)
        if (trim(f[i]) == kNames[k] && column_[k] < 0) column_[k] = static_cast<int>(i), named = true;
    if (named && column_[kKey] >= 0 && column_[kOp] >= 0 && column_[kSize] >= 0) return true;
    if (named) lines_.fail("the header names no key, op or size column (CacheLib needs all three)");
    first_line_ = std::string(line);
    return false;
  }

  void parse(std::string_view line) {
    std::string_view f[kMaxColumns];
    const std::size_t count = split_fields(line, ',', f, kMaxColumns);
    auto field = [&](Field k) -> std::string_view {
      const int c = column_[k];
      return c >= 0 && static_cast<std::size_t>(c) < count ? f[c] : std::string_view{};
    };
    auto number = [&](Field k, std::uint64_t fallback) {
      const std::string_view text = field(k);
      if (column_[k] < 0 || trim(text).empty()) return fallback;
      std::uint64_t v;
      if (!parse_field_u64(text, &v)) lines_.fail(std::string("bad ") + kNames[k] + " field '" + std::string(text) + "'");
      return v;
    };
    Request& r = current_;
    if (trim(field(kKey)).empty()) lines_.fail("missing key");
    r.key = key_id(field(kKey));
    if (spec_.key_points) {
      r.has_key_point = true;
      r.key_point = ketama_key_point(*spec_.key_points, key_text(field(kKey), key_scratch_));
    }
    const std::string_view op = trim(field(kOp));
    if (op == "GET" || op == "GET_LEASE") r.op = RequestOp::kRead;
    else if (op == "SET" || op == "SET_LEASE") r.op = RequestOp::kWrite;
    else if (op == "DELETE") r.op = RequestOp::kDelete;
    else lines_.fail("unknown operation '" + std::string(op) + "' (GET, GET_LEASE, SET, SET_LEASE or DELETE)");
    if (column_[kSize] < 0 || trim(field(kSize)).empty()) lines_.fail("missing size");
    const std::uint64_t size = number(kSize, 0) + number(kKeySize, 0);
    if (size > UINT32_MAX) lines_.fail("object size too large");
    r.size = static_cast<std::uint32_t>(size);
    r.time_ms = column_[kOpTime] >= 0 ? time_field_ms(lines_, field(kOpTime), spec_.time_unit_ms) : 0;
    r.ttl_ms = kTtlUnset;
    if (column_[kTtl] >= 0 && !trim(field(kTtl)).empty())
      r.ttl_ms = static_cast<std::int64_t>(std::llround(static_cast<double>(number(kTtl, 0)) * spec_.ttl_unit_ms));
    const std::uint64_t op_count = number(kOpCount, 1);
    // CacheLib keeps op_count in 16 bits (and skips a line whose count is 0 there).
    if (op_count == 0 || op_count > 65535) lines_.fail("op_count must be 1 to 65535");
    repeats_ = op_count;
  }

  LineReader lines_;
  TraceSpec spec_;
  std::array<int, kFields> column_{};  // field -> column index from 0, -1 absent
  std::string first_line_;             // a first line that was data, not a header
  bool pending_line_ = false;
  Request current_;
  std::uint64_t repeats_ = 0;  // copies of current_ still to hand out
  std::string key_scratch_;
};

}  // namespace

std::unique_ptr<TraceReader> open_cachelib_trace(const TraceSpec& spec) {
  return std::make_unique<CachelibTraceReader>(spec);
}

}  // namespace cachelab::sim
