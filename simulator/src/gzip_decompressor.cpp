// gzip streaming decompression (zlib's inflate). Members may be concatenated (as `cat a.gz b.gz`).
#include <zlib.h>

#include <climits>
#include <cstring>
#include <stdexcept>

#include "decompressor.h"

namespace cachelab::sim {
namespace {

class GzipDecompressor final : public Decompressor {
 public:
  GzipDecompressor() {
    std::memset(&stream_, 0, sizeof stream_);
    // 16 + MAX_WBITS: a gzip header and trailer (zlib checks the CRC and the length).
    if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("zlib: cannot initialise inflate");
  }
  ~GzipDecompressor() override { inflateEnd(&stream_); }
  GzipDecompressor(const GzipDecompressor&) = delete;
  GzipDecompressor& operator=(const GzipDecompressor&) = delete;

  std::string step(const char* in, std::size_t in_size, std::size_t* in_used, char* out, std::size_t out_size,
                   std::size_t* out_made) override {
    *in_used = 0;
    *out_made = 0;
    if (member_end_ && in_size > 0) {  // the next member of a multi-member file
      inflateReset(&stream_);
      member_end_ = false;
    }
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in));
    stream_.avail_in = static_cast<uInt>(std::min<std::size_t>(in_size, UINT_MAX));
    stream_.next_out = reinterpret_cast<Bytef*>(out);
    stream_.avail_out = static_cast<uInt>(std::min<std::size_t>(out_size, UINT_MAX));
    const uInt in_before = stream_.avail_in;
    const uInt out_before = stream_.avail_out;
    const int rc = inflate(&stream_, Z_NO_FLUSH);
    *in_used = in_before - stream_.avail_in;
    *out_made = out_before - stream_.avail_out;
    if (rc == Z_STREAM_END) {
      member_end_ = true;
      return {};
    }
    if (rc == Z_OK || rc == Z_BUF_ERROR) return {};
    return std::string("gzip: ") + (stream_.msg ? stream_.msg : "corrupt data");
  }
  bool at_frame_end() const noexcept override { return member_end_; }

 private:
  z_stream stream_;
  bool member_end_ = false;
};

}  // namespace

std::unique_ptr<Decompressor> make_gzip_decompressor() { return std::make_unique<GzipDecompressor>(); }

}  // namespace cachelab::sim
