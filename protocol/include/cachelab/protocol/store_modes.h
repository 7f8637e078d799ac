#pragma once
// memcached's rules for writing an item, over the engine's primitives (Store::put, modify, remove):
// set/add/replace/append/prepend/cas, delete with a CAS, and incr/decr. Every protocol (text,
// meta, binary) calls these, under the key's shard lock, so that a rule exists once. What the
// engine does and what these do: docs/ARCHITECTURE.md, "The engine contract".
#include <cstdint>
#include <string_view>

#include "cachelab/store.h"

namespace cachelab::protocol {

enum class StoreMode { kSet, kAdd, kReplace, kAppend, kPrepend, kCas };
enum class StoreResult { kStored, kNotStored, kExists, kNotFound, kTooLarge, kNoMemory };
enum class DeleteResult { kDeleted, kNotFound, kExists };
enum class ArithResult { kOk, kNotFound, kNonNumeric, kExists, kNoMemory };

// A store command. `cas_in` is read by kCas only (and by append/prepend when not 0: the binary
// protocol's append with a CAS writes only onto that version). `marks` carries meta's item bits
// (stale, token sent, base64 key) into the new item. On kStored `*cas_out` (if given) receives
// the new CAS. memcached's rules kept here:
// - add bumps the item it ran into; replace/append/prepend need one; cas needs the same CAS;
// - append/prepend keep the old item's flags and expiry, and a join over the size limit is
//   NOT_STORED with the old value kept;
// - any other value over the limit is refused and, for a set, the old value is removed (no stale
//   value is left behind).
struct ItemMarks {
  bool stale = false;
  bool token_sent = false;
  bool binary_key = false;
};
StoreResult store_value(Store& s, StoreMode mode, KeyRef key, std::string_view value, std::uint32_t flags,
                        Tick exptime, std::uint64_t cas_in, Tick now, std::uint64_t* cas_out = nullptr,
                        ItemMarks marks = {});

// delete; with cas_in != 0 only if the CAS matches.
DeleteResult delete_value(Store& s, KeyRef key, Tick now, std::uint64_t cas_in = 0);

// incr/decr on an unsigned 64-bit decimal value: incr wraps at 2^64, decr stops at 0. A result
// with no more digits than the value is written in place, padded with spaces as memcached does
// ("99 " after decr 100): no allocation, so no eviction and no out-of-memory. A longer one is a
// new item with the old one's flags and expiry. With cas_in != 0 only if the CAS matches.
ArithResult apply_delta(Store& s, KeyRef key, bool incr, std::uint64_t delta, Tick now, std::uint64_t* value_out,
                        std::uint64_t* cas_out = nullptr, std::uint64_t cas_in = 0);

// Parses a stored value as incr/decr read it (memcached's safe_strtoull): blanks, an optional
// sign, digits, then the end, a blank or a zero byte. At most 2^64-1.
bool parse_u64(std::string_view text, std::uint64_t* out) noexcept;

}  // namespace cachelab::protocol
