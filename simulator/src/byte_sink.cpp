#include "byte_sink.h"

#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "cachelab/sim/errors.h"

namespace cachelab::sim {
namespace {

constexpr std::size_t kBufferBytes = 1 << 20;

class FileSink : public ByteSink {
 public:
  explicit FileSink(const std::string& path) : path_(path) {
    file_ = std::fopen(path.c_str(), "wb");
    if (!file_) throw InputError(path + ": cannot create: " + std::strerror(errno));
    std::setvbuf(file_, nullptr, _IOFBF, kBufferBytes);
  }
  ~FileSink() override {
    if (file_) std::fclose(file_);
  }
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;
  void write(const char* data, std::size_t size) override { std::fwrite(data, 1, size, file_); }
  void close() override {
    const bool failed = std::ferror(file_) != 0;
    const int rc = std::fclose(file_);
    file_ = nullptr;
    if (failed || rc != 0) throw std::runtime_error(path_ + ": write error");
  }

 protected:
  std::string path_;
  std::FILE* file_ = nullptr;
};

// zstd at its default level, one frame for the whole file.
class ZstdSink final : public FileSink {
 public:
  explicit ZstdSink(const std::string& path) : FileSink(path), out_(ZSTD_CStreamOutSize()) {
    stream_ = ZSTD_createCStream();
    if (!stream_) throw std::runtime_error("zstd: out of memory");
    ZSTD_CCtx_setParameter(stream_, ZSTD_c_compressionLevel, ZSTD_CLEVEL_DEFAULT);
    ZSTD_CCtx_setParameter(stream_, ZSTD_c_checksumFlag, 1);
  }
  ~ZstdSink() override { ZSTD_freeCStream(stream_); }
  ZstdSink(const ZstdSink&) = delete;
  ZstdSink& operator=(const ZstdSink&) = delete;

  void write(const char* data, std::size_t size) override { compress(data, size, ZSTD_e_continue); }
  void close() override {
    compress(nullptr, 0, ZSTD_e_end);
    FileSink::close();
  }

 private:
  void compress(const char* data, std::size_t size, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{data, size, 0};
    for (;;) {
      ZSTD_outBuffer out{out_.data(), out_.size(), 0};
      const std::size_t left = ZSTD_compressStream2(stream_, &out, &in, mode);
      if (ZSTD_isError(left)) throw std::runtime_error(path_ + ": zstd: " + ZSTD_getErrorName(left));
      std::fwrite(out_.data(), 1, out.pos, file_);
      const bool done = mode == ZSTD_e_end ? left == 0 : in.pos == in.size;
      if (done) return;
    }
  }

  ZSTD_CStream* stream_;
  std::vector<char> out_;
};

bool ends_with(const std::string& s, const char* suffix) {
  const std::size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

}  // namespace

std::unique_ptr<ByteSink> open_byte_sink(const std::string& path) {
  if (ends_with(path, ".zst")) return std::make_unique<ZstdSink>(path);
  return std::make_unique<FileSink>(path);
}

}  // namespace cachelab::sim
