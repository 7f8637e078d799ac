// set, add, replace, append, prepend, cas, delete, incr, decr, touch.
#include "handlers.h"

namespace cachelab::protocol::detail {
namespace {

StoreMode mode_of(CommandId id) noexcept {
  switch (id) {
    case CommandId::kAdd: return StoreMode::kAdd;
    case CommandId::kReplace: return StoreMode::kReplace;
    case CommandId::kAppend: return StoreMode::kAppend;
    case CommandId::kPrepend: return StoreMode::kPrepend;
    case CommandId::kCas: return StoreMode::kCas;
    default: return StoreMode::kSet;
  }
}

std::string_view store_reply(StoreResult r) noexcept {
  switch (r) {
    case StoreResult::kStored: return reply::kStored;
    case StoreResult::kNotStored: return reply::kNotStored;
    case StoreResult::kExists: return reply::kExists;
    case StoreResult::kNotFound: return reply::kNotFound;
    case StoreResult::kTooLarge: return reply::kTooLarge;
    case StoreResult::kNoMemory: return reply::kNoMemory;
  }
  return reply::kError;
}

// With -C every item's CAS reads as 0: `cas` matches only 0, against the item's real CAS.
StoreResult store_without_cas(Store& s, KeyRef key, const StorageHeader& h, std::string_view data,
                              Tick exptime, Tick now) {
  std::uint64_t current = 0;
  if (!s.peek(key, now, [&](const Item& it) { current = it.cas; })) return StoreResult::kNotFound;
  if (h.cas != 0) return StoreResult::kExists;
  return store_value(s, StoreMode::kCas, key, data, h.flags, exptime, current, now);
}

}  // namespace

StoreResult store_item(Call& call, StoreMode mode, std::string_view key_bytes, std::string_view data,
                       std::uint32_t flags, Tick exptime, std::uint64_t cas, std::uint64_t* cas_out) {
  const KeyRef key = call.key(key_bytes);
  const bool plain_cas = mode == StoreMode::kCas && !call.state.settings.cas_enabled;
  const bool concat = mode == StoreMode::kAppend || mode == StoreMode::kPrepend;
  const StoreResult result = call.state.store.with_shard(key, [&](Store& s) {
    if (plain_cas) {
      const StorageHeader h{key_bytes, flags, 0, 0, cas};
      return store_without_cas(s, key, h, data, exptime, call.now);
    }
    return store_value(s, mode, key, data, flags, exptime, cas, call.now, cas_out);
  });
  call.stats.add(Counter::kCmdSet);
  if (result == StoreResult::kStored && call.state.trace) {
    trace(call, TraceOp::kSet, key_bytes, concat ? traced_size(call, key) : key_bytes.size() + data.size(), exptime);
  }
  if (mode == StoreMode::kCas) {
    if (result == StoreResult::kStored) call.stats.add(Counter::kCasHits);
    if (result == StoreResult::kExists) call.stats.add(Counter::kCasBadval);
    if (result == StoreResult::kNotFound) call.stats.add(Counter::kCasMisses);
  }
  if (result == StoreResult::kTooLarge) call.stats.add(Counter::kStoreTooLarge);
  if (result == StoreResult::kNoMemory) call.stats.add(Counter::kStoreNoMemory);
  return result;
}

DeleteResult delete_item(Call& call, std::string_view key_bytes, std::uint64_t cas) {
  const KeyRef key = call.key(key_bytes);
  const DeleteResult result = call.state.store.with_shard(key, [&](Store& s) {
    if (cas != 0 && !call.state.settings.cas_enabled) {
      // With -C every item's CAS reads as 0: a CAS given never matches (memcached).
      return s.peek(key, call.now, [](const Item&) {}) ? DeleteResult::kExists : DeleteResult::kNotFound;
    }
    return delete_value(s, key, call.now, cas);
  });
  trace(call, TraceOp::kDelete, key_bytes, 0);
  if (result != DeleteResult::kExists)
    call.stats.add(result == DeleteResult::kDeleted ? Counter::kDeleteHits : Counter::kDeleteMisses);
  return result;
}

ArithResult arith_item(Call& call, bool incr, std::string_view key_bytes, std::uint64_t delta,
                       std::uint64_t* value, std::uint64_t cas_in, std::uint64_t* cas_out) {
  const KeyRef key = call.key(key_bytes);
  const ArithResult result = call.state.store.with_shard(key, [&](Store& s) {
    if (cas_in != 0 && !call.state.settings.cas_enabled)
      return s.peek(key, call.now, [](const Item&) {}) ? ArithResult::kExists : ArithResult::kNotFound;
    return apply_delta(s, key, incr, delta, call.now, value, cas_out, cas_in);
  });
  if (result == ArithResult::kOk) {
    // incr/decr keep the item's expiry: the trace's set carries it as "no change" (ttl 0 is
    // close enough for counters, which rarely expire).
    if (call.state.trace) trace(call, TraceOp::kSet, key_bytes, traced_size(call, key));
    call.stats.add(incr ? Counter::kIncrHits : Counter::kDecrHits);
  } else if (result == ArithResult::kNotFound) {
    call.stats.add(incr ? Counter::kIncrMisses : Counter::kDecrMisses);
  }
  return result;
}

bool touch_item(Call& call, std::string_view key_bytes, Tick exptime) {
  const KeyRef key = call.key(key_bytes);
  const bool hit =
      call.state.store.with_shard(key, [&](Store& s) { return s.touch(key, call.now, exptime); });
  call.stats.add(Counter::kCmdTouch);
  call.stats.add(hit ? Counter::kTouchHits : Counter::kTouchMisses);
  return hit;
}

Outcome handle_storage(Call& call) {
  const Request& r = call.request;
  const StorageHeader& h = r.storage;
  call.noreply = r.noreply;
  const StoreResult result = store_item(call, mode_of(r.command), h.key, r.data, h.flags,
                                        call.state.clock.expiry(h.exptime), h.cas, nullptr);
  call.out.line(store_reply(result));
  return Outcome::kContinue;
}

// delete KEY [0] [noreply]
Outcome handle_delete(Call& call) {
  const auto& t = call.tokens();
  if (t.size() < 2 || t.size() > 4) {
    call.out.line(reply::kError);
    return Outcome::kContinue;
  }
  if (t.size() > 2) {
    const bool hold_is_zero = t[2] == "0";
    call.noreply = call.last_is_noreply();
    const bool valid = (t.size() == 3 && (hold_is_zero || call.noreply)) ||
                       (t.size() == 4 && hold_is_zero && call.noreply);
    if (!valid) {
      call.out.line(reply::kDeleteUsage);
      return Outcome::kContinue;
    }
  }
  if (!valid_key(t[1])) {
    call.out.line(reply::kBadFormat);
    return Outcome::kContinue;
  }
  const bool hit = delete_item(call, t[1], 0) == DeleteResult::kDeleted;
  call.out.line(hit ? reply::kDeleted : reply::kNotFound);
  return Outcome::kContinue;
}

// incr|decr KEY DELTA [noreply]
Outcome handle_arith(Call& call) {
  const auto& t = call.tokens();
  if (t.size() != 3 && t.size() != 4) {
    call.out.line(reply::kError);
    return Outcome::kContinue;
  }
  call.noreply = call.last_is_noreply();
  const bool incr = call.request.command == CommandId::kIncr;
  if (!valid_key(t[1])) {
    call.out.line(reply::kBadFormat);
    return Outcome::kContinue;
  }
  std::uint64_t delta = 0;
  if (!parse_u64_token(t[2], &delta)) {
    call.out.line(reply::kInvalidDelta);
    return Outcome::kContinue;
  }
  std::uint64_t value = 0;
  switch (arith_item(call, incr, t[1], delta, &value, 0, nullptr)) {
    case ArithResult::kOk:
      call.out.number(value);
      call.out.raw("\r\n");
      break;
    case ArithResult::kNonNumeric:
      call.out.line(reply::kNonNumeric);
      break;
    case ArithResult::kNoMemory:
      call.out.line(reply::kArithNoMemory);
      break;
    case ArithResult::kNotFound:
    case ArithResult::kExists:
      call.out.line(reply::kNotFound);
      break;
  }
  return Outcome::kContinue;
}

// touch KEY EXPTIME [noreply]
Outcome handle_touch(Call& call) {
  const auto& t = call.tokens();
  if (t.size() != 3 && t.size() != 4) {
    call.out.line(reply::kError);
    return Outcome::kContinue;
  }
  call.noreply = call.last_is_noreply();
  if (!valid_key(t[1])) {
    call.out.line(reply::kBadFormat);
    return Outcome::kContinue;
  }
  std::int32_t wire = 0;
  if (!parse_i32(t[2], &wire)) {
    call.out.line(reply::kInvalidExptime);
    return Outcome::kContinue;
  }
  const bool hit = touch_item(call, t[1], call.state.clock.expiry(wire));
  call.out.line(hit ? reply::kTouched : reply::kNotFound);
  return Outcome::kContinue;
}

}  // namespace cachelab::protocol::detail
