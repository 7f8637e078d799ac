#include "record_blocks.h"

#include "cachelab/sim/errors.h"

namespace cachelab::sim {

RecordBlocks::RecordBlocks(std::unique_ptr<ByteSource> source, std::size_t record_bytes, std::uint64_t start_offset,
                           std::string prefix)
    : source_(std::move(source)),
      record_bytes_(record_bytes),
      block_offset_(start_offset),
      next_offset_(start_offset),
      prefix_(std::move(prefix)) {
  view_ = prefix_;
}

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
  for (;;) {
    if (view_.empty()) {
      view_ = source_->borrow();
      if (view_.empty()) {
        if (!partial_.empty())
          throw InputError(source_->where(next_offset_) + ": truncated record (" + std::to_string(partial_.size()) +
                           " of " + std::to_string(record_bytes_) + " bytes)");
        return false;
      }
    }
    if (!partial_.empty()) {  // complete the record cut by the previous view
      const std::size_t take = std::min(record_bytes_ - partial_.size(), view_.size());
      partial_.append(view_.substr(0, take));
      view_.remove_prefix(take);
      if (partial_.size() < record_bytes_) continue;
      joined_.swap(partial_);
      partial_.clear();
      *data = joined_.data();
      *count = 1;
    } else {
      *count = view_.size() / record_bytes_;
      if (*count == 0) {
        partial_.assign(view_);
        view_ = {};
        continue;
      }
      *data = view_.data();
      view_.remove_prefix(*count * record_bytes_);
    }
    block_offset_ = next_offset_;
    next_offset_ += *count * record_bytes_;
    return true;
  }
}

}  // namespace cachelab::sim
