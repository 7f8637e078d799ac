#include "record_blocks.h"

#include <cstring>

#include "cachelab/sim/errors.h"

namespace cachelab::sim {
namespace {
constexpr std::size_t kBlockBytes = 768 << 10;
}

RecordBlocks::RecordBlocks(std::unique_ptr<ByteSource> source, std::size_t record_bytes, std::uint64_t start_offset,
                           std::string prefix)
    : source_(std::move(source)),
      record_bytes_(record_bytes),
      block_(std::max<std::size_t>(1, kBlockBytes / record_bytes) * record_bytes),
      block_offset_(start_offset),
      next_offset_(start_offset),
      prefix_(std::move(prefix)) {}

std::size_t RecordBlocks::read_fully(ByteSource& source, char* out, std::size_t size) {
  std::size_t n = 0;
  while (n < size) {
    const std::size_t got = source.read(out + n, size - n);
    if (got == 0) break;
    n += got;
  }
  return n;
}

bool RecordBlocks::next(const char** data, std::size_t* count) {
  const std::size_t from_prefix = std::min(prefix_.size(), block_.size());
  std::memcpy(block_.data(), prefix_.data(), from_prefix);
  prefix_.erase(0, from_prefix);
  const std::size_t got = from_prefix + read_fully(*source_, block_.data() + from_prefix, block_.size() - from_prefix);
  block_offset_ = next_offset_;
  next_offset_ += got;
  if (got % record_bytes_ != 0) {
    const std::uint64_t bad = block_offset_ + got - got % record_bytes_;
    throw InputError(source_->where(bad) + ": truncated record (" + std::to_string(got % record_bytes_) + " of " +
                     std::to_string(record_bytes_) + " bytes)");
  }
  *data = block_.data();
  *count = got / record_bytes_;
  return got > 0;
}

}  // namespace cachelab::sim
