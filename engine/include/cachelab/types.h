#pragma once
// Basic vocabulary shared by every layer: time, keys, results.
#include <cstdint>
#include <string_view>

namespace cachelab {

// Engine time. The engine never reads a clock: every operation is given `now` by its caller
// (the server's real clock in seconds, the simulator's virtual clock in milliseconds).
// 32 bits keep the item header small; 0 is reserved to mean "never expires".
using Tick = std::uint32_t;
inline constexpr Tick kNever = 0;
// An expiry too far ahead for 32 bits (the simulator's clock, in ms since its epoch): the item
// does not expire while the clock runs; Store::shift_time leaves it as it is.
inline constexpr Tick kFarExpiry = 0xffffffffu;

// A key with its 64-bit hash, computed once by the caller (sharding and the index both use it).
struct KeyRef {
  std::string_view bytes;
  std::uint64_t hash;
};

// Hash of a byte key (XXH3, 64 bits).
std::uint64_t hash_key(std::string_view key) noexcept;
// Hash of a numeric key id (simulator traces): a cheap bijective mixer, no byte hashing needed.
constexpr std::uint64_t hash_id(std::uint64_t x) noexcept {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

inline constexpr std::size_t kMaxKeyLength = 250;

}  // namespace cachelab
