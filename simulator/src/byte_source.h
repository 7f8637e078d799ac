#pragma once
// Where a trace reader's bytes come from: the file itself, or its decompressed stream when the
// file is zstd or gzip (told by its first bytes, never by its name). A compressed file is
// decoded on a thread of its own into a bounded queue of buffers, so decoding overlaps parsing
// and memory stays the same whatever the file's size.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace cachelab::sim {

enum class Compression { kNone, kZstd, kGzip };

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Copies up to `size` bytes into `out`; returns how many, 0 only at the end of the data.
  // Throws InputError (naming the file and the compressed byte offset) on a corrupt or truncated
  // compressed stream, or on a read error.
  virtual std::size_t read(char* out, std::size_t size) = 0;
  // The next bytes without a copy: a view valid until the next read() or borrow(); empty only at
  // the end. Same errors as read().
  virtual std::string_view borrow() = 0;
  virtual Compression compression() const noexcept = 0;
  const std::string& path() const noexcept { return path_; }

  // "PATH: byte offset N" for the error messages of the readers above: for a compressed file the
  // offset is counted in the decompressed data, and the message says so.
  std::string where(std::uint64_t offset) const;

 protected:
  explicit ByteSource(std::string path) : path_(std::move(path)) {}

 private:
  std::string path_;
};

// Opens `path`; throws InputError if it cannot be opened.
std::unique_ptr<ByteSource> open_byte_source(const std::string& path);

// What the first bytes of a file say it is (zstd: 28 B5 2F FD; gzip: 1F 8B).
Compression detect_compression(std::string_view first_bytes) noexcept;
std::string_view compression_name(Compression c) noexcept;

}  // namespace cachelab::sim
