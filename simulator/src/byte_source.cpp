// Opening a trace's bytes: the first bytes decide between the plain file and a decoder thread.
#include "byte_source.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "cachelab/sim/errors.h"
#include "threaded_decoder.h"

namespace cachelab::sim {
namespace {

// The file as it is. The bytes read to detect the format are handed out first (no seek, so a
// pipe works too).
class PlainFileSource final : public ByteSource {
 public:
  PlainFileSource(std::string path, std::FILE* file, std::string peeked)
      : ByteSource(std::move(path)), file_(file), peeked_(std::move(peeked)) {}
  ~PlainFileSource() override { std::fclose(file_); }
  PlainFileSource(const PlainFileSource&) = delete;
  PlainFileSource& operator=(const PlainFileSource&) = delete;

  std::size_t read(char* out, std::size_t size) override {
    std::size_t n = 0;
    if (peeked_pos_ < peeked_.size()) {
      n = std::min(size, peeked_.size() - peeked_pos_);
      std::memcpy(out, peeked_.data() + peeked_pos_, n);
      peeked_pos_ += n;
      if (n == size) return n;
    }
    const std::size_t got = std::fread(out + n, 1, size - n, file_);
    if (got == 0 && std::ferror(file_)) throw InputError(path() + ": read error: " + std::strerror(errno));
    return n + got;
  }
  std::string_view borrow() override {
    if (buffer_.empty()) buffer_.resize(kBorrowBytes);
    return {buffer_.data(), read(buffer_.data(), buffer_.size())};
  }
  Compression compression() const noexcept override { return Compression::kNone; }

 private:
  static constexpr std::size_t kBorrowBytes = 768 << 10;
  std::FILE* file_;
  std::string peeked_;
  std::size_t peeked_pos_ = 0;
  std::vector<char> buffer_;  // what borrow() hands out
};

}  // namespace

std::string ByteSource::where(std::uint64_t offset) const {
  if (compression() == Compression::kNone) return path_ + ": byte offset " + std::to_string(offset);
  return path_ + ": byte offset " + std::to_string(offset) + " of the decompressed data";
}

Compression detect_compression(std::string_view b) noexcept {
  if (b.size() >= 4 && b[0] == '\x28' && b[1] == '\xB5' && b[2] == '\x2F' && b[3] == '\xFD') return Compression::kZstd;
  if (b.size() >= 2 && b[0] == '\x1F' && b[1] == '\x8B') return Compression::kGzip;
  return Compression::kNone;
}

std::string_view compression_name(Compression c) noexcept {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kZstd: return "zstd";
    case Compression::kGzip: return "gzip";
  }
  return "?";
}

std::unique_ptr<ByteSource> open_byte_source(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) throw InputError(path + ": cannot open: " + std::strerror(errno));
  char magic[4];
  const std::size_t got = std::fread(magic, 1, sizeof magic, file);
  if (got < sizeof magic && std::ferror(file)) {
    const int err = errno;
    std::fclose(file);
    throw InputError(path + ": read error: " + std::strerror(err));
  }
  std::string peeked(magic, got);
  const Compression c = detect_compression(peeked);
  if (c == Compression::kNone) return std::make_unique<PlainFileSource>(path, file, std::move(peeked));
  return make_threaded_decoder(path, file, std::move(peeked), c);
}

}  // namespace cachelab::sim
