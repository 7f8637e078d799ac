#pragma once
// Where `trace convert` writes: the file as is, or zstd-compressed when its name ends in .zst
// (readable by `zstd -d` and by every trace reader here, as by libCacheSim's).
#include <cstddef>
#include <memory>
#include <string>

namespace cachelab::sim {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void write(const char* data, std::size_t size) = 0;
  // Flushes and closes; throws std::runtime_error on a write error.
  virtual void close() = 0;
};

// Throws InputError if the file cannot be created.
std::unique_ptr<ByteSink> open_byte_sink(const std::string& path);

}  // namespace cachelab::sim
