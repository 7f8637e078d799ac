// libCacheSim's lcs traces, every version its reader knows (v1..v8; layouts in lcs_format.h).
// The header is checked (both magics, a known version) and its request count compared with the
// records found, so a file cut at a record boundary is caught too.
#include <bit>
#include <cmath>
#include <cstring>
#include <string>

#include "cachelab/sim/errors.h"
#include "cachelab/sim/trace_reader.h"
#include "lcs_format.h"
#include "record_blocks.h"

namespace cachelab::sim {
namespace {

static_assert(std::endian::native == std::endian::little, "the lcs reader assumes a little-endian host");

template <typename T>
T load(const char* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

struct Header {
  std::uint64_t version = 0;
  std::int64_t requests = 0;  // 0: not recorded
};

Header read_header(ByteSource& source) {
  char h[lcs::kHeaderBytes];
  const std::size_t got = RecordBlocks::read_fully(source, h, sizeof h);
  if (got < sizeof h)
    throw InputError(source.where(got) + ": truncated lcs header (" + std::to_string(got) + " of 8192 bytes)");
  if (load<std::uint64_t>(h) != lcs::kMagic) throw InputError(source.where(0) + ": not an lcs trace (bad start magic)");
  if (load<std::uint64_t>(h + lcs::kEndMagicOffset) != lcs::kMagic)
    throw InputError(source.where(lcs::kEndMagicOffset) + ": not an lcs trace (bad end magic)");
  Header header;
  header.version = load<std::uint64_t>(h + 8);
  if (lcs::record_bytes(header.version) == 0)
    throw InputError(source.where(8) + ": unknown lcs version " + std::to_string(header.version) + " (1 to 8 are known)");
  header.requests = load<std::int64_t>(h + lcs::kStatOffset + lcs::stat::kRequests);
  if (header.requests < 0) throw InputError(source.where(lcs::kStatOffset + lcs::stat::kRequests) + ": negative request count");
  return header;
}

class LcsTraceReader final : public TraceReader {
 public:
  explicit LcsTraceReader(const TraceSpec& spec) : LcsTraceReader(spec, open_byte_source(spec.path)) {}

  std::size_t read(std::span<Request> out) override {
    std::size_t n = 0;
    while (n < out.size()) {
      if (left_ == 0 && !next_block()) break;
      const std::size_t take = std::min(out.size() - n, left_);
      for (std::size_t i = 0; i < take; ++i, next_ += record_bytes_) decode(next_, out[n + i]);
      n += take;
      left_ -= take;
    }
    return n;
  }

 private:
  LcsTraceReader(const TraceSpec& spec, std::unique_ptr<ByteSource> source)
      : header_(read_header(*source)),
        record_bytes_(lcs::record_bytes(header_.version)),
        blocks_(std::move(source), record_bytes_, lcs::kHeaderBytes),
        time_unit_ms_(spec.time_unit_ms),
        ttl_unit_ms_(spec.ttl_unit_ms) {}

  bool next_block() {
    if (!blocks_.next(&next_, &left_)) {
      if (header_.requests > 0 && static_cast<std::uint64_t>(header_.requests) != records_)
        throw InputError(blocks_.source().where(blocks_.block_offset()) + ": the lcs header counts " +
                         std::to_string(header_.requests) + " requests, the file ends after " +
                         std::to_string(records_) + " (truncated?)");
      return false;
    }
    block_start_ = next_;
    block_index_ = records_;
    records_ += left_;
    return true;
  }

  void decode(const char* p, Request& r) const {
    r.time_ms = static_cast<std::uint64_t>(std::llround(load<std::uint32_t>(p) * time_unit_ms_));
    r.key = load<std::uint64_t>(p + 4);
    std::int64_t size;
    std::int64_t next;
    r.op = RequestOp::kRead;
    r.ttl_ms = kTtlUnset;
    r.tenant = 0;
    if (header_.version == 1) {
      size = load<std::uint32_t>(p + 12);
      next = load<std::int64_t>(p + 16);
    } else {
      const std::size_t meta = header_.version == 2 ? 16 : 20;  // op | tenant << 8
      size = header_.version == 2 ? std::int64_t{load<std::uint32_t>(p + 12)} : load<std::int64_t>(p + 12);
      const std::uint32_t op_tenant = load<std::uint32_t>(p + meta);
      const auto op = lcs::op_from_code(op_tenant & 0xff);
      if (!op) fail(p, "unknown operation code " + std::to_string(op_tenant & 0xff));
      r.op = *op;
      r.tenant = op_tenant >> 8;
      if (header_.version == 2) {
        next = load<std::int64_t>(p + 20);
      } else {
        r.ttl_ms = static_cast<std::int64_t>(std::llround(load<std::uint32_t>(p + 24) * ttl_unit_ms_));
        next = load<std::int64_t>(p + 28);
      }
    }
    if (size < 0 || size > UINT32_MAX) fail(p, "object size " + std::to_string(size) + " out of range");
    r.size = static_cast<std::uint32_t>(size);
    // -1 (and libCacheSim's INT64_MAX) = never requested again.
    r.next_access = next < 0 || next == INT64_MAX ? UINT64_MAX : static_cast<std::uint64_t>(next);
  }

  [[noreturn]] void fail(const char* record, const std::string& what) const {
    const std::uint64_t index = block_index_ + static_cast<std::uint64_t>(record - block_start_) / record_bytes_;
    throw InputError(blocks_.source().where(lcs::kHeaderBytes + index * record_bytes_) + ": " + what);
  }

  Header header_;
  std::size_t record_bytes_;
  RecordBlocks blocks_;
  double time_unit_ms_;
  double ttl_unit_ms_;
  const char* next_ = nullptr;
  const char* block_start_ = nullptr;
  std::size_t left_ = 0;
  std::uint64_t records_ = 0;      // records handed out by blocks so far
  std::uint64_t block_index_ = 0;  // index of the current block's first record
};

}  // namespace

std::unique_ptr<TraceReader> open_lcs_trace(const TraceSpec& spec) { return std::make_unique<LcsTraceReader>(spec); }

}  // namespace cachelab::sim
