#pragma once
// The quantities a scenario writes as text: capacities ("64MiB", "1GB", "100000 objects", plain bytes)
// and durations ("250ms", "10s", "5m", "1h", "2d", a plain number being seconds).
// The parsers return nullopt on bad text; callers turn that into an InputError naming the field.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cachelab::sim {

struct Capacity {
  std::uint64_t amount = 0;    // bytes, or objects when count_objects
  bool count_objects = false;
};

// Plain integer = bytes; B; KiB/MiB/GiB/TiB (powers of 1024); KB/MB/GB/TB (powers of 1000);
// "N objects". Fractions are allowed before a unit ("1.5GiB"). Zero is refused.
std::optional<Capacity> parse_capacity(std::string_view text);

// Milliseconds. Accepts ms, s, m (or min), h, d; a plain number is seconds. Negative is refused.
std::optional<std::uint64_t> parse_duration_ms(std::string_view text);

// "64MiB"-style rendering for tables (exact when it divides, else bytes).
std::string format_capacity(const Capacity& c);

}  // namespace cachelab::sim
