#pragma once
// The item: one allocation holding a fixed 48-byte header, the key and (in the server) the value.
//
// Layout and why each field is there (see docs/ARCHITECTURE.md for the byte count per item):
//   hnext     8  hash-chain link: the index is intrusive, so it allocates nothing per item
//   prev,next 16 the policy's hooks: every built-in policy is a set of intrusive lists
//   cas       8  CAS unique (server) or the origin version the copy was filled from (simulator)
//   exptime   4  absolute expiry in engine ticks, 0 = never
//   flags     4  the client's opaque 32-bit flags
//   value_len 4  31 bits: value bytes (server) or the object's logical size (simulator, no bytes
//                stored); 1 bit: fetched since stored
//   key_len   1  keys are at most 250 bytes
//   policy_u8, policy_u16  3 bytes a policy may use (LFU's frequency, CLOCK's reference bit...)
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "cachelab/types.h"

namespace cachelab {

struct Item {
  Item* hnext;
  Item* prev;
  Item* next;
  std::uint64_t cas;
  Tick exptime;
  std::uint32_t flags;
  std::uint32_t value_len : 31;
  std::uint32_t fetched : 1;  // read since stored: tells evicted_unfetched / expired_unfetched apart
  std::uint8_t key_len;
  std::uint8_t policy_u8;
  std::uint16_t policy_u16;

  char* key_data() noexcept { return reinterpret_cast<char*>(this + 1); }
  const char* key_data() const noexcept { return reinterpret_cast<const char*>(this + 1); }
  std::string_view key() const noexcept { return {key_data(), key_len}; }
  // Only meaningful when the store keeps values.
  char* value_data() noexcept { return key_data() + key_len; }
  const char* value_data() const noexcept { return key_data() + key_len; }
  std::string_view value() const noexcept { return {value_data(), value_len}; }

  bool expired_at(Tick now) const noexcept { return exptime != kNever && now >= exptime; }
};

static_assert(sizeof(Item) == 48, "the item header is part of the memory budget: keep it at 48 bytes");

}  // namespace cachelab
