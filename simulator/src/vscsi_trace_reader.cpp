// VMware vSCSI block traces as libCacheSim reads them (customizedReader/vscsi.h): fixed records in
// one of two layouts, told apart by the version byte of the first two records:
//   v1 (32 B): u32 serial, u32 length, u32 nSG, u16 cmd, u16 version (1 << 8), u64 lbn, u64 ts (us)
//   v2 (40 B): u16 cmd, u16 version (2 << 8), u32 serial, u32 length, u32 nSG, u64 lbn, u64 ts (us),
//              u64 response time
// The object is the block (lbn) and its size the request's length, as libCacheSim reads them; the
// SCSI command gives the op (READ 6/10/12/16 are reads, WRITE 6/10/12/16 writes, anything else a
// read). libCacheSim ignores the command: replay with `all_reads: true` to compare with it.
#include <bit>
#include <cstring>
#include <string>

#include "cachelab/sim/errors.h"
#include "cachelab/sim/trace_reader.h"
#include "record_blocks.h"

namespace cachelab::sim {
namespace {

static_assert(std::endian::native == std::endian::little, "the vscsi reader assumes a little-endian host");

constexpr std::size_t kV1Bytes = 32;
constexpr std::size_t kV2Bytes = 40;

std::uint16_t u16_at(const std::string& b, std::size_t at) {
  std::uint16_t v;
  std::memcpy(&v, b.data() + at, 2);
  return v;
}

// 1 or 2 from the first records' version fields (as libCacheSim tests two records), 0 if neither.
int detect_version(const std::string& first) {
  auto all_say = [&](std::size_t record, std::size_t field, int version) {
    const std::size_t n = std::min<std::size_t>(2, first.size() / record);
    if (n == 0) return false;
    for (std::size_t i = 0; i < n; ++i)
      if (u16_at(first, i * record + field) >> 8 != version) return false;
    return true;
  };
  if (all_say(kV2Bytes, 2, 2)) return 2;
  if (all_say(kV1Bytes, 14, 1)) return 1;
  return 0;
}

RequestOp op_of(std::uint16_t cmd) noexcept {
  switch (cmd) {
    case 0x0A: case 0x2A: case 0xAA: case 0x8A: return RequestOp::kWrite;
    default: return RequestOp::kRead;
  }
}

class VscsiTraceReader final : public TraceReader {
 public:
  explicit VscsiTraceReader(const TraceSpec& spec) : VscsiTraceReader(open_byte_source(spec.path)) {}

  std::size_t read(std::span<Request> out) override {
    std::size_t n = 0;
    while (n < out.size()) {
      if (left_ == 0 && !blocks_->next(&next_, &left_)) break;
      const std::size_t take = std::min(out.size() - n, left_);
      for (std::size_t i = 0; i < take; ++i, next_ += blocks_->record_bytes()) decode(next_, out[n + i]);
      n += take;
      left_ -= take;
    }
    return n;
  }

 private:
  explicit VscsiTraceReader(std::unique_ptr<ByteSource> source) {
    std::string first(2 * kV2Bytes, '\0');
    first.resize(RecordBlocks::read_fully(*source, first.data(), first.size()));
    version_ = first.empty() ? 1 : detect_version(first);
    if (version_ == 0)
      throw InputError(source->where(0) + ": not a vscsi trace (the first records carry neither version 1 nor 2)");
    blocks_.emplace(std::move(source), version_ == 1 ? kV1Bytes : kV2Bytes, 0, std::move(first));
  }

  void decode(const char* p, Request& r) const noexcept {
    std::uint16_t cmd;
    std::uint32_t length;
    std::uint64_t ts_us;
    if (version_ == 1) {
      std::memcpy(&length, p + 4, 4);
      std::memcpy(&cmd, p + 12, 2);
    } else {
      std::memcpy(&cmd, p, 2);
      std::memcpy(&length, p + 8, 4);
    }
    std::memcpy(&r.key, p + 16, 8);
    std::memcpy(&ts_us, p + 24, 8);
    r.time_ms = ts_us / 1000;
    r.size = length;
    r.op = op_of(cmd);
    r.ttl_ms = kTtlUnset;
    r.next_access = UINT64_MAX;
    r.tenant = 0;
  }

  int version_ = 1;
  std::optional<RecordBlocks> blocks_;
  const char* next_ = nullptr;
  std::size_t left_ = 0;
};

}  // namespace

std::unique_ptr<TraceReader> open_vscsi_trace(const TraceSpec& spec) { return std::make_unique<VscsiTraceReader>(spec); }

}  // namespace cachelab::sim
