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

inline void read_trace(sim::TraceSpec spec, const std::uint8_t* data, std::size_t size) {
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
    if (total > size) __builtin_trap();
  } catch (const sim::InputError&) {
  }
}

}  // namespace cachelab::fuzz
