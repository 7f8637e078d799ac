// memcached's store, delete and arithmetic rules over the engine's primitives (store_modes.h).
#include "cachelab/protocol/store_modes.h"

#include <charconv>
#include <cstring>

namespace cachelab::protocol {

StoreResult store_value(Store& s, StoreMode mode, KeyRef key, std::string_view value, std::uint32_t flags,
                        Tick exptime, std::uint64_t cas_in, Tick now, std::uint64_t* cas_out, ItemMarks marks) {
  const bool concat = mode == StoreMode::kAppend || mode == StoreMode::kPrepend;
  StoreResult refused = StoreResult::kNotStored;
  const PutResult put = s.put(key, now, [&](const Item* live, NewItem& item) {
    switch (mode) {
      case StoreMode::kAdd:
        if (live) return PutPlan::kKeepAndTouch;  // memcached bumps the item a refused add ran into
        break;
      case StoreMode::kReplace:
      case StoreMode::kAppend:
      case StoreMode::kPrepend:
        if (!live) return PutPlan::kKeep;
        break;
      case StoreMode::kCas:
        if (!live || live->cas != cas_in) {
          refused = live ? StoreResult::kExists : StoreResult::kNotFound;
          return PutPlan::kKeep;
        }
        break;
      case StoreMode::kSet:
        break;
    }
    if (concat) {
      if (cas_in != 0 && live->cas != cas_in) {
        refused = StoreResult::kExists;
        return PutPlan::kKeep;
      }
      // The joined value keeps the old item's flags and expiry, whatever the request says.
      item.value = mode == StoreMode::kAppend ? live->value() : value;
      item.value_tail = mode == StoreMode::kAppend ? value : live->value();
      item.flags = live->flags;
      item.exptime = live->exptime;
    } else {
      item.value = value;
      item.flags = flags;
      item.exptime = exptime;
    }
    item.stale = marks.stale;
    item.token_sent = marks.token_sent;
    item.binary_key = marks.binary_key;
    return PutPlan::kWrite;
  }, cas_out);
  switch (put) {
    case PutResult::kStored: return StoreResult::kStored;
    case PutResult::kKept: return refused;
    case PutResult::kNoMemory: return StoreResult::kNoMemory;
    case PutResult::kTooLarge:
      // memcached cannot allocate the joined value: NOT_STORED, the old value kept.
      if (concat) return StoreResult::kNotStored;
      // A set whose value cannot be stored must not leave the old one to be read.
      if (mode == StoreMode::kSet) s.remove(key, now);
      return StoreResult::kTooLarge;
  }
  return StoreResult::kNotStored;
}

DeleteResult delete_value(Store& s, KeyRef key, Tick now, std::uint64_t cas_in) {
  if (cas_in != 0) {
    bool match = false;
    if (!s.peek(key, now, [&](const Item& it) { match = it.cas == cas_in; })) return DeleteResult::kNotFound;
    if (!match) return DeleteResult::kExists;
  }
  return s.remove(key, now) ? DeleteResult::kDeleted : DeleteResult::kNotFound;
}

ArithResult apply_delta(Store& s, KeyRef key, bool incr, std::uint64_t delta, Tick now, std::uint64_t* value_out,
                        std::uint64_t* cas_out, std::uint64_t cas_in) {
  ArithResult result = ArithResult::kNotFound;
  char digits[24];
  std::size_t len = 0;
  bool outgrown = false;
  std::uint64_t next = 0;
  s.modify(key, now, [&](const Item& it, ItemMeta& meta) {
    // memcached checks these before the CAS: an empty value, and one it keeps in chunks (an item
    // over its default slab_chunk_max, 512 KiB with its ~59-byte header), never a number there.
    if (it.value_len == 0 || std::size_t{it.value_len} + it.key_len + 59 > 512 * 1024) {
      result = ArithResult::kNonNumeric;
      return;
    }
    if (cas_in != 0 && it.cas != cas_in) {
      result = ArithResult::kExists;
      return;
    }
    std::uint64_t current = 0;
    if (meta.value.empty() || !parse_u64({meta.value.data(), meta.value.size()}, &current)) {
      result = ArithResult::kNonNumeric;
      return;
    }
    // Unsigned 64-bit arithmetic: incr wraps at 2^64 as memcached does; decr stops at zero.
    next = incr ? current + delta : (delta > current ? 0 : current - delta);
    len = static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, next).ptr - digits);
    result = ArithResult::kOk;
    if (len > meta.value.size()) {
      outgrown = true;  // a new item, below
      return;
    }
    std::memcpy(meta.value.data(), digits, len);
    std::memset(meta.value.data() + len, ' ', meta.value.size() - len);
    meta.fresh_cas = true;
    meta.bump = Bump::kPolicy;
  }, cas_out);
  if (outgrown) {
    const PutResult put = s.put(key, now, [&](const Item* live, NewItem& item) {
      item.value = {digits, len};
      item.flags = live->flags;
      item.exptime = live->exptime;
      return PutPlan::kWrite;
    }, cas_out);
    if (put != PutResult::kStored) return ArithResult::kNoMemory;
  }
  if (result == ArithResult::kOk && value_out) *value_out = next;
  return result;
}

bool parse_u64(std::string_view text, std::uint64_t* out) noexcept {
  // As memcached's safe_strtoull over a stored value: "99 " is 99 (memcached pads a shrunken
  // number with spaces; strtoull stops at a zero byte, and memcached takes that as the end of
  // the number). A minus is accepted only before zero, as memcached's check for it goes.
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; };
  std::size_t i = 0;
  while (i < text.size() && blank(text[i])) ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  const std::size_t digits_from = i;
  std::uint64_t v = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    const auto d = static_cast<std::uint64_t>(text[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (i == digits_from) return false;
  if (i < text.size() && !blank(text[i]) && text[i] != '\0') return false;
  if (negative && v != 0) return false;
  *out = v;
  return true;
}

}  // namespace cachelab::protocol
