#pragma once
// One trace reader over one fuzz input: every request is read until the end or an InputError
// (the documented way a reader refuses a file). Any other exception, a crash or a sanitizer
// report is a bug.
#include <array>
#include <cstddef>
#include <cstdint>

#include "cachelab/sim/errors.h"
#include "cachelab/sim/trace_reader.h"
#include "fuzz_input_file.h"

namespace cachelab::fuzz {

// check_count: a plain text or 24-byte-record reader makes at most one request per input byte.
inline void read_trace(sim::TraceSpec spec, const std::uint8_t* data, std::size_t size, bool check_count = true) {
  static InputFile file;
  spec.path = file.write(data, size);
  try {
    auto reader = sim::open_trace(spec);
    std::array<sim::Request, 64> batch;
    std::size_t total = 0;
    while (std::size_t n = reader->read(batch)) {
      total += n;
      if (n > batch.size()) __builtin_trap();
    }
    // A request needs at least two bytes of text (a key and a newline) or one 24-byte record.
    // A compressed input (zstd or gzip magic) may decode to far more than its own size.
    const bool compressed = (size >= 4 && data[0] == 0x28 && data[1] == 0xB5 && data[2] == 0x2F && data[3] == 0xFD) ||
                            (size >= 2 && data[0] == 0x1F && data[1] == 0x8B);
    if (check_count && !compressed && total > size) __builtin_trap();
  } catch (const sim::InputError&) {
  }
}

}  // namespace cachelab::fuzz
