#pragma once
// A compressed file decoded on its own thread: the decoder fills buffers from a small fixed pool
// and queues them; the reader takes them in order. The pool bounds memory (kBuffers x 1 MiB) and
// lets decoding run ahead of parsing by a few buffers.
#include <cstdio>
#include <memory>
#include <string>

#include "byte_source.h"

namespace cachelab::sim {

// Takes ownership of `file`, positioned after the `peeked` bytes.
std::unique_ptr<ByteSource> make_threaded_decoder(const std::string& path, std::FILE* file, std::string peeked,
                                                  Compression compression);

}  // namespace cachelab::sim
