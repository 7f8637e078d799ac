// libCacheSim's oracleGeneral binary traces: packed little-endian 24-byte records
//   u32 time (s), u64 object id, u32 object size, i64 next access (vtime, -1 = never; for belady).
// Read in large blocks and decoded with memcpy, so the reader is never the replay's bottleneck.
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cachelab/sim/errors.h"
#include "cachelab/sim/trace_reader.h"

namespace cachelab::sim {
namespace {

static_assert(std::endian::native == std::endian::little, "the oracleGeneral reader assumes a little-endian host");

constexpr std::size_t kRecordBytes = 24;
constexpr std::size_t kRecordsPerBlock = 1 << 15;

class OracleGeneralTraceReader final : public TraceReader {
 public:
  explicit OracleGeneralTraceReader(const TraceSpec& spec) : spec_(spec), block_(kRecordBytes * kRecordsPerBlock) {
    file_ = std::fopen(spec.path.c_str(), "rb");
    if (!file_) throw InputError(spec.path + ": cannot open: " + std::strerror(errno));
    whole_seconds_ = spec.time_unit_ms == 1000.0;
  }
  ~OracleGeneralTraceReader() override { std::fclose(file_); }
  OracleGeneralTraceReader(const OracleGeneralTraceReader&) = delete;
  OracleGeneralTraceReader& operator=(const OracleGeneralTraceReader&) = delete;

  std::size_t read(std::span<Request> out) override {
    std::size_t n = 0;
    while (n < out.size()) {
      if (pos_ == len_ && !refill()) break;
      const std::size_t take = std::min(out.size() - n, (len_ - pos_) / kRecordBytes);
      const char* p = block_.data() + pos_;
      for (std::size_t i = 0; i < take; ++i, p += kRecordBytes) decode(p, out[n + i]);
      n += take;
      pos_ += take * kRecordBytes;
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
                               : static_cast<std::uint64_t>(std::llround(time * spec_.time_unit_ms));
    r.size = size;
    r.op = RequestOp::kRead;
    r.ttl_ms = kTtlUnset;
  }

  bool refill() {
    const std::size_t got = std::fread(block_.data(), 1, block_.size(), file_);
    if (got == 0 && std::ferror(file_)) throw InputError(spec_.path + ": read error: " + std::strerror(errno));
    file_offset_ += len_;
    pos_ = 0;
    len_ = got;
    if (got % kRecordBytes != 0) {
      const std::uint64_t bad = file_offset_ + got - got % kRecordBytes;
      throw InputError(spec_.path + ": byte offset " + std::to_string(bad) + ": truncated record (" +
                       std::to_string(got % kRecordBytes) + " of 24 bytes)");
    }
    return got > 0;
  }

  TraceSpec spec_;
  std::FILE* file_ = nullptr;
  std::vector<char> block_;
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  std::uint64_t file_offset_ = 0;  // of block_[0]
  bool whole_seconds_ = true;
};

}  // namespace

std::unique_ptr<TraceReader> open_oracle_general_trace(const TraceSpec& spec) {
  return std::make_unique<OracleGeneralTraceReader>(spec);
}

}  // namespace cachelab::sim
