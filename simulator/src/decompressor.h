#pragma once
// One streaming decompression step, the same shape for zstd and gzip: feed compressed bytes,
// get decompressed bytes. Used only by the decoder thread (threaded_decoder.cpp).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "byte_source.h"

namespace cachelab::sim {

class Decompressor {
 public:
  virtual ~Decompressor() = default;
  // Decodes from [in, in + in_size) into [out, out + out_size). Sets *in_used and *out_made.
  // Returns an error text (empty if fine). A stream of several concatenated frames or members
  // is decoded as one.
  virtual std::string step(const char* in, std::size_t in_size, std::size_t* in_used, char* out,
                           std::size_t out_size, std::size_t* out_made) = 0;
  // True when the input seen so far ends on a frame boundary (a clean end of file).
  virtual bool at_frame_end() const noexcept = 0;
};

std::unique_ptr<Decompressor> make_zstd_decompressor();
std::unique_ptr<Decompressor> make_gzip_decompressor();

}  // namespace cachelab::sim
