// get, gets, gat, gats.
#include <algorithm>
#include <array>

#include "handlers.h"

namespace cachelab::protocol::detail {

// Keys of one get hashed and prefetched before the first lookup (a get line comes in pieces of
// a few dozen keys; beyond this they are looked up as they come).
constexpr std::size_t kHashedAhead = 64;

Outcome handle_get(Call& call) {
  const auto& t = call.tokens();
  const CommandId id = call.request.command;
  const bool touch = id == CommandId::kGat || id == CommandId::kGats;
  const bool with_cas = id == CommandId::kGets || id == CommandId::kGats;
  if (call.request.continued && call.multi_get_failed) {
    // An earlier piece of this get failed and said so: the rest of its keys are ignored.
    call.multi_get_failed = call.request.more_keys;
    return Outcome::kContinue;
  }
  if (t.size() < 2 && !call.request.continued) {
    call.out.line(reply::kError);
    return Outcome::kContinue;
  }
  Tick exptime = kNever;
  std::size_t first_key = 1;
  if (touch) {
    std::int32_t wire = 0;
    if (!parse_i32(t[1], &wire)) {
      call.out.line(reply::kInvalidExptime);
      return Outcome::kContinue;
    }
    exptime = call.state.clock.expiry(wire);
    first_key = 2;
  }
  const bool cas_enabled = call.state.settings.cas_enabled;
  const std::size_t mark = call.out.mark();
  // Hash every key and hint its index slot first: the lookups below then find them in cache.
  std::array<std::uint64_t, kHashedAhead> hashes;  // not zeroed: a get of one key (most) uses none
  const std::size_t ahead = t.size() - first_key > 1 ? std::min(t.size() - first_key, kHashedAhead) : 0;
  for (std::size_t j = 0; j < ahead; ++j) {
    const KeyRef key = call.key(t[first_key + j]);
    hashes[j] = key.hash;
    call.state.store.prefetch(key);
  }
  for (std::size_t i = first_key; i < t.size(); ++i) {
    if (!valid_key(t[i])) {
      call.out.rollback(mark);  // memcached sends only the error, none of the values before it
      call.out.line(reply::kBadFormat);
      call.multi_get_failed = call.request.more_keys;
      return Outcome::kContinue;
    }
    const KeyRef key = i - first_key < ahead ? KeyRef{t[i], hashes[i - first_key]} : call.key(t[i]);
    std::uint64_t size = 0;
    auto emit = [&](const Item& it) {
      const std::uint64_t cas = cas_enabled ? it.cas : 0;
      call.out.value(it.key(), it.flags, it.value(), with_cas ? &cas : nullptr);
      size = it.key_len + it.value_len;
    };
    const bool hit = call.state.store.with_shard(key, [&](Store& s) {
      return touch ? s.get_and_touch(key, call.now, exptime, emit) : s.get(key, call.now, emit);
    });
    count_read(call.stats, touch, hit);
    trace(call, TraceOp::kGet, t[i], size);
  }
  if (!call.request.more_keys) call.out.line(reply::kEnd);
  return Outcome::kContinue;
}

}  // namespace cachelab::protocol::detail
