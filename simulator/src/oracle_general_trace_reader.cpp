// libCacheSim's oracleGeneral binary traces: packed little-endian 24-byte records
//   u32 time (s), u64 object id, u32 object size, i64 next access (vtime, -1 = never; for belady).
// Read in large blocks and decoded with memcpy, so the reader is never the replay's bottleneck.
#include <bit>
#include <cmath>
#include <cstring>

#include "cachelab/sim/trace_reader.h"
#include "record_blocks.h"

namespace cachelab::sim {
namespace {

static_assert(std::endian::native == std::endian::little, "the oracleGeneral reader assumes a little-endian host");

constexpr std::size_t kRecordBytes = 24;

class OracleGeneralTraceReader final : public TraceReader {
 public:
  explicit OracleGeneralTraceReader(const TraceSpec& spec)
      : blocks_(open_byte_source(spec.path), kRecordBytes), time_unit_ms_(spec.time_unit_ms) {
    whole_seconds_ = spec.time_unit_ms == 1000.0;
  }

  std::size_t read(std::span<Request> out) override {
    std::size_t n = 0;
    while (n < out.size()) {
      if (left_ == 0 && !blocks_.next(&next_, &left_)) break;
      const std::size_t take = std::min(out.size() - n, left_);
      for (std::size_t i = 0; i < take; ++i, next_ += kRecordBytes) decode(next_, out[n + i]);
      n += take;
      left_ -= take;
    }
    return n;
  }

 private:
  void decode(const char* p, Request& r) const noexcept {
    std::uint32_t time, size;
    std::memcpy(&time, p, 4);
    std::memcpy(&r.key, p + 4, 8);
    std::memcpy(&size, p + 12, 4);
    std::int64_t next;
    std::memcpy(&next, p + 16, 8);
    r.next_access = next < 0 ? UINT64_MAX : static_cast<std::uint64_t>(next);
    r.time_ms = whole_seconds_ ? std::uint64_t{time} * 1000
                               : static_cast<std::uint64_t>(std::llround(time * time_unit_ms_));
    r.size = size;
    r.op = RequestOp::kRead;
    r.ttl_ms = kTtlUnset;
  }

  RecordBlocks blocks_;
  double time_unit_ms_;
  bool whole_seconds_ = true;
  const char* next_ = nullptr;
  std::size_t left_ = 0;  // records left at next_
};

}  // namespace

std::unique_ptr<TraceReader> open_oracle_general_trace(const TraceSpec& spec) {
  return std::make_unique<OracleGeneralTraceReader>(spec);
}

}  // namespace cachelab::sim
