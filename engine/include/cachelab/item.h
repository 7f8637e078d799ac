#pragma once
// The item: one allocation holding a fixed 48-byte header, the key and (in the server) the value.
//
// Layout and why each field is there (see docs/ARCHITECTURE.md for the byte count per item):
//   chain     8  hash-chain link: the index is intrusive, so it allocates nothing per item. A user-space
//                address fits in 48 bits (x86-64 and AArch64 Linux), so the top 16 hold the
//                last-access time (15 bits: seconds mod 2^15, the server's clock) and whether
//                the key came in base64 (meta `b`, echoed so): no extra byte for either
//   prev,next 16 the policy's hooks: every built-in policy is a set of intrusive lists
//   cas       8  CAS unique (server) or the origin version the copy was filled from (simulator)
//   exptime   4  absolute expiry in engine ticks, 0 = never
//   flags     4  the client's opaque 32-bit flags
//   value_len 4  29 bits: value bytes (server, -I is at most 512 MiB) or the object's logical size
//                (simulator, no bytes stored); 3 bits of state memcached keeps as item flags:
//                fetched since stored, stale (meta `md I`/`ms I`), recache token handed out (`W`)
//   key_len   1  keys are at most 250 bytes
//   policy_u8, policy_u16  3 bytes a policy may use (LFU's frequency, CLOCK's reference bit...)
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "cachelab/types.h"

namespace cachelab {

struct Item {
  static constexpr std::uint32_t kMaxValueLen = (1u << 29) - 1;

  std::uintptr_t chain;  // next item in the hash chain (low 48 bits) | last access (15) | binary key (1)
  Item* prev;
  Item* next;
  std::uint64_t cas;
  Tick exptime;
  std::uint32_t flags;
  std::uint32_t value_len : 29;
  std::uint32_t fetched : 1;     // read since stored: tells evicted_unfetched / expired_unfetched apart
  std::uint32_t stale : 1;       // invalidated (md I, ms I): readers are told X, one of them W
  std::uint32_t token_sent : 1;  // a recache token (W) went out: later readers are told Z
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

  static constexpr unsigned kAccessShift = 48;
  static constexpr std::uintptr_t kChainMask = (std::uintptr_t{1} << kAccessShift) - 1;
  static constexpr std::uintptr_t kAccessMask = std::uintptr_t{0x7fff} << kAccessShift;
  static constexpr std::uintptr_t kBinaryKey = std::uintptr_t{1} << 63;
  Item* hnext() const noexcept { return reinterpret_cast<Item*>(chain & kChainMask); }
  void set_hnext(Item* next) noexcept {
    chain = (chain & ~kChainMask) | reinterpret_cast<std::uintptr_t>(next);
  }
  // Seconds since the last access, as memcached's `mg l` and `me la` report it. Kept mod 2^15
  // (9.1 hours): an older item reads younger than it is (docs/PROTOCOL.md lists it).
  Tick seconds_since_access(Tick now) const noexcept {
    return (now - static_cast<Tick>((chain & kAccessMask) >> kAccessShift)) & 0x7fff;
  }
  void stamp_access(Tick now) noexcept {
    chain = (chain & ~kAccessMask) | (static_cast<std::uintptr_t>(now & 0x7fff) << kAccessShift);
  }
  // The key was sent in base64 (meta `b`): replies echo it so, as memcached's ITEM_KEY_BINARY.
  bool binary_key() const noexcept { return chain & kBinaryKey; }
  void set_binary_key(bool binary) noexcept { chain = binary ? chain | kBinaryKey : chain & ~kBinaryKey; }
};

static_assert(sizeof(void*) == 8, "the item keeps its last-access time in a pointer's top 16 bits");
static_assert(sizeof(Item) == 48, "the item header is part of the memory budget: keep it at 48 bytes");

}  // namespace cachelab
