// zstd streaming decompression (libzstd). Frames may be concatenated (as `zstd` and `cat` make them).
#include <zstd.h>

#include <stdexcept>

#include "decompressor.h"

namespace cachelab::sim {
namespace {

class ZstdDecompressor final : public Decompressor {
 public:
  ZstdDecompressor() : stream_(ZSTD_createDStream()) {
    if (!stream_) throw std::runtime_error("zstd: out of memory");
    ZSTD_initDStream(stream_);
  }
  ~ZstdDecompressor() override { ZSTD_freeDStream(stream_); }
  ZstdDecompressor(const ZstdDecompressor&) = delete;
  ZstdDecompressor& operator=(const ZstdDecompressor&) = delete;

  std::string step(const char* in, std::size_t in_size, std::size_t* in_used, char* out, std::size_t out_size,
                   std::size_t* out_made) override {
    ZSTD_inBuffer input{in, in_size, 0};
    ZSTD_outBuffer output{out, out_size, 0};
    const std::size_t hint = ZSTD_decompressStream(stream_, &output, &input);
    *in_used = input.pos;
    *out_made = output.pos;
    if (ZSTD_isError(hint)) return std::string("zstd: ") + ZSTD_getErrorName(hint);
    // 0: a frame just ended and was flushed entirely; anything else: the frame goes on. A call
    // that moved nothing (no input left) says nothing new: after a frame it hints the next header.
    if (input.pos > 0 || output.pos > 0) frame_end_ = hint == 0;
    return {};
  }
  bool at_frame_end() const noexcept override { return frame_end_; }

 private:
  ZSTD_DStream* stream_;
  bool frame_end_ = true;
};

}  // namespace

std::unique_ptr<Decompressor> make_zstd_decompressor() { return std::make_unique<ZstdDecompressor>(); }

}  // namespace cachelab::sim
