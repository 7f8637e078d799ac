#pragma once
// Fixed-size binary records (oracleGeneral, lcs, vscsi) handed out in large blocks, decoded where
// the ByteSource holds them (its borrowed buffer: no copy of a decompressed stream); only a record
// cut by a buffer boundary is put together in a small buffer. A file that ends inside a record is
// an InputError naming the record's byte offset.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "byte_source.h"

namespace cachelab::sim {

class RecordBlocks {
 public:
  // `start_offset`: where the records start (after a header already read); `prefix`: bytes already
  // read from the source to look at the records, handed out first.
  RecordBlocks(std::unique_ptr<ByteSource> source, std::size_t record_bytes, std::uint64_t start_offset = 0,
               std::string prefix = {});

  // The next block of whole records: `count` records at `data`. False at the end of the file.
  bool next(const char** data, std::size_t* count);
  // Byte offset (in the file or its decompressed data) of the first record of the last block.
  std::uint64_t block_offset() const noexcept { return block_offset_; }
  std::size_t record_bytes() const noexcept { return record_bytes_; }
  const ByteSource& source() const noexcept { return *source_; }

  // Reads exactly `size` bytes (a file header). False if the file ends first (nothing read: 0).
  static std::size_t read_fully(ByteSource& source, char* out, std::size_t size);

 private:
  std::unique_ptr<ByteSource> source_;
  std::size_t record_bytes_;
  std::uint64_t block_offset_;
  std::uint64_t next_offset_;
  std::string prefix_;
  std::string_view view_;  // borrowed bytes not handed out yet
  std::string partial_;    // the start of a record cut by the end of a view
  std::string joined_;     // that record once complete (handed out as a block of one)
};

}  // namespace cachelab::sim
