// Meta commands: mg ms md ma mn me (memcached 1.6's doc/protocol.txt). Stale items and recache
// tokens (mg N R, md I, ms I; the W X Z reply flags) are kept in ServerState::meta_marks.
// E (the client picks the new version's CAS) as memcached's doc/protocol.txt describes it
// (memcached 1.6.18 itself still refuses it). Refused as invalid flags: ms S, as memcached
// 1.6.18 does; and, unlike memcached, mg l (time since last access), which the engine's item
// does not keep.
#include <string>

#include "meta_flags.h"

namespace cachelab::protocol::detail {
namespace {

constexpr std::string_view kBadToken = "CLIENT_ERROR bad token in command line format";
constexpr std::string_view kInvalidFlag = "CLIENT_ERROR invalid flag";
constexpr std::string_view kInvalidOrDuplicate = "CLIENT_ERROR invalid or duplicate flag";

// A meta command's flags and its key (decoded from base64 with `b`).
struct MetaRequest {
  MetaFlags flags;
  std::string key;
};

// Parses the flags and the key of a meta command; on failure writes the error and returns false.
bool prepare(Call& call, std::size_t first_flag, const MetaFlagRules& rules, MetaRequest& m) {
  call.stats.add(Counter::kCmdMeta);
  if (auto error = m.flags.parse(call.tokens(), first_flag, rules)) {
    call.out.line(*error);
    return false;
  }
  auto key = meta_key(call.tokens()[1], m.flags.has('b'));
  if (!key) {
    call.out.line(reply::kBadFormat);
    return false;
  }
  m.key = std::move(*key);
  return true;
}

// An optional numeric token: absent leaves `out` alone; present and bad returns false.
template <class T, class Parse>
bool numeric_token(const MetaFlags& flags, char flag, T* out, Parse parse) {
  return !flags.has(flag) || parse(flags.token(flag), out);
}

ItemView view_of(const Item& it, Tick now, bool hit_before) {
  return ItemView{it.cas, it.flags, ttl_of(it.exptime, now), it.value_len, hit_before};
}

// Ends a meta reply: HD (or the given code) with echoed flags, unless q hides it.
void status_line(Call& call, const MetaRequest& m, std::string_view code, std::string_view returnable,
                 const ItemView* item, bool quiet_allowed) {
  if (quiet_allowed && m.flags.has('q')) return;
  call.out.raw(code);
  append_return_flags(call.out, m.flags, returnable, call.tokens()[1], item);
  call.out.raw("\r\n");
}

// E: the version just written takes the client's CAS (a row version, a clock...). The item is
// re-installed with it under the same lock, so no other client sees the server's CAS.
void restamp_cas(Store& s, KeyRef key, std::uint64_t cas, Tick now) {
  std::string value;
  std::uint32_t flags = 0;
  Tick exptime = kNever;
  if (s.peek(key, now,
             [&](const Item& it) { value.assign(it.value()), flags = it.flags, exptime = it.exptime; }))
    s.restore(key, value, flags, exptime, cas, now);
}

// Reads the E token; false when it is present and not a number.
bool new_cas_token(const MetaRequest& m, std::uint64_t* out) {
  return numeric_token(m.flags, 'E', out, parse_u64_token);
}

// The Z X W flags of an mg hit, in memcached's order: Z if a token went out already; X if the
// item is stale (and W with it when no token went out yet); W for N's creator or R's threshold.
void append_recache_flags(ReplyBuffer& out, MetaMarks& marks, const MetaRequest& m, const Item& it,
                          bool created, std::int64_t recache_below, Tick now) {
  MetaMark mark = marks.get(m.key, it.cas);
  bool won = created;
  if (m.flags.has('R') && !mark.token_sent && !created && it.exptime != kNever &&
      ttl_of(it.exptime, now) < recache_below)
    won = true;
  if (mark.token_sent) out.raw(" Z");
  if (mark.stale) {
    out.raw(" X");
    if (!mark.token_sent) won = true;
  }
  if (won) {
    out.raw(" W");
    mark.token_sent = true;
    marks.set(m.key, it.cas, mark);
  }
}

}  // namespace

// mg KEY FLAGS*
Outcome handle_meta_get(Call& call) {
  if (call.tokens().size() < 2) {
    call.out.line(reply::kError);
    return Outcome::kContinue;
  }
  MetaRequest m;
  static constexpr MetaFlagRules kRules{"bcfhkqstuv", "OTCNRE", kInvalidFlag, "CLIENT_ERROR duplicate flag"};
  if (!prepare(call, 2, kRules, m)) return Outcome::kContinue;
  std::int64_t ttl_wire = 0, vivify_ttl = 0, recache_below = 0;
  std::uint64_t compare_cas = 0, new_cas = 0;
  if (!new_cas_token(m, &new_cas) || !numeric_token(m.flags, 'T', &ttl_wire, parse_i64) ||
      !numeric_token(m.flags, 'C', &compare_cas, parse_u64_token) ||
      !numeric_token(m.flags, 'N', &vivify_ttl, parse_i64) ||
      !numeric_token(m.flags, 'R', &recache_below, parse_i64)) {
    call.out.line(kBadToken);
    return Outcome::kContinue;
  }
  const KeyRef key = call.key(m.key);
  const bool touch = m.flags.has('T');
  const Tick exptime = touch ? call.state.clock.expiry(ttl_wire) : kNever;
  MetaMarks& marks = call.state.meta_marks;
  std::uint64_t traced = 0;  // key + value bytes of a hit, for --trace-out
  const bool hit = call.state.store.with_shard(key, [&](Store& s) {
    bool hit_before = false;
    if (m.flags.has('h')) s.peek(key, call.now, [&](const Item& it) { hit_before = it.fetched; });
    // N: a miss creates an empty item, and this client wins the right to fill it.
    bool created = false;
    if (m.flags.has('N') && !s.peek(key, call.now, [](const Item&) {}))
      created = s.store(StoreMode::kAdd, key, {}, 0, call.state.clock.expiry(vivify_ttl), 0, call.now) ==
                StoreResult::kStored;
    if (created && m.flags.has('E')) restamp_cas(s, key, new_cas, call.now);
    auto reply = [&](const Item& it) {
      traced = it.key_len + it.value_len;
      const ItemView view = view_of(it, call.now, hit_before);
      // With C, the value is left out when the client's copy is current.
      const bool with_value = m.flags.has('v') && !(m.flags.has('C') && compare_cas == it.cas);
      if (with_value) {
        call.out.raw("VA ");
        call.out.number(it.value_len);
      } else {
        call.out.raw("HD");
      }
      append_return_flags(call.out, m.flags, "cfhkOst", call.tokens()[1], &view);
      append_recache_flags(call.out, marks, m, it, created, recache_below, call.now);
      call.out.raw("\r\n");
      if (with_value) {
        call.out.raw(it.value());
        call.out.raw("\r\n");
      }
    };
    if (touch) return s.get_and_touch(key, call.now, exptime, reply);
    if (m.flags.has('u')) return s.peek(key, call.now, reply);
    return s.get(key, call.now, reply);
  });
  count_read(call.stats, touch, hit);
  trace(call, TraceOp::kGet, m.key, traced);
  if (!hit && !m.flags.has('q')) call.out.line("EN");
  return Outcome::kContinue;
}

// ms KEY DATALEN FLAGS* \r\n DATA \r\n
Outcome handle_meta_set(Call& call) {
  MetaRequest m;
  static constexpr MetaFlagRules kRules{"bckqsI", "CEFTMNO", kInvalidFlag, "CLIENT_ERROR duplicate flag"};
  if (!prepare(call, 3, kRules, m)) return Outcome::kContinue;
  std::uint32_t client_flags = 0;
  std::int64_t ttl_wire = 0;
  std::uint64_t compare_cas = 0, new_cas = 0;
  if (!numeric_token(m.flags, 'F', &client_flags, parse_u32) ||
      !numeric_token(m.flags, 'C', &compare_cas, parse_u64_token)) {
    call.out.line(reply::kBadFormat);
    return Outcome::kContinue;
  }
  if (!numeric_token(m.flags, 'T', &ttl_wire, parse_i64) || !new_cas_token(m, &new_cas)) {
    call.out.line(kBadToken);
    return Outcome::kContinue;
  }
  StoreMode mode = StoreMode::kSet;
  if (m.flags.has('M')) {
    const std::string_view token = m.flags.token('M');
    const char c = token.size() == 1 ? token[0] : '?';
    if (c == 'E' || c == 'e') mode = StoreMode::kAdd;
    else if (c == 'A' || c == 'a') mode = StoreMode::kAppend;
    else if (c == 'P' || c == 'p') mode = StoreMode::kPrepend;
    else if (c == 'R' || c == 'r') mode = StoreMode::kReplace;
    else if (c != 'S' && c != 's') {
      call.out.line("CLIENT_ERROR invalid mode for ms M token");
      return Outcome::kContinue;
    }
  }
  std::int64_t vivify_ttl = 0;
  if (!numeric_token(m.flags, 'N', &vivify_ttl, parse_i64)) {
    call.out.line(kBadToken);
    return Outcome::kContinue;
  }
  const KeyRef key = call.key(m.key);
  Tick exptime = call.state.clock.expiry(ttl_wire);
  const std::string_view data = call.request.data;
  ItemView stored{};
  bool stale = false;
  const StoreResult result = call.state.store.with_shard(key, [&](Store& s) {
    // N: an append or prepend that misses creates the item from its data, with N's TTL.
    const bool concat = mode == StoreMode::kAppend || mode == StoreMode::kPrepend;
    if (concat && m.flags.has('N') && !s.peek(key, call.now, [](const Item&) {})) {
      mode = StoreMode::kAdd;
      exptime = call.state.clock.expiry(vivify_ttl);
    }
    if (m.flags.has('C')) {
      // Every mode honours C: check the CAS under the same lock as the store. With I, an older
      // CAS still stores, but the new value is marked stale.
      std::uint64_t current = 0;
      if (!s.peek(key, call.now, [&](const Item& it) { current = it.cas; })) return StoreResult::kNotFound;
      stale = m.flags.has('I') && compare_cas < current;
      if (current != compare_cas && !stale) return StoreResult::kExists;
      if (mode == StoreMode::kSet) mode = StoreMode::kCas;
      compare_cas = current;
    }
    const StoreResult r = s.store(mode, key, data, client_flags, exptime, compare_cas, call.now, &stored.cas);
    if (r == StoreResult::kStored && m.flags.has('E')) {
      restamp_cas(s, key, new_cas, call.now);
      stored.cas = new_cas;
    }
    if (r == StoreResult::kStored && stale)
      call.state.meta_marks.set(m.key, stored.cas, MetaMark{true, false});
    if (r == StoreResult::kStored)
      s.peek(key, call.now, [&](const Item& it) { stored = view_of(it, call.now, false); });
    return r;
  });
  call.stats.add(Counter::kCmdSet);
  if (result == StoreResult::kStored) trace(call, TraceOp::kSet, m.key, m.key.size() + stored.size, exptime);
  switch (result) {
    case StoreResult::kStored: status_line(call, m, "HD", "ckOs", &stored, true); break;
    case StoreResult::kNotStored: status_line(call, m, "NS", "kO", nullptr, false); break;
    case StoreResult::kExists: status_line(call, m, "EX", "kO", nullptr, false); break;
    case StoreResult::kNotFound: status_line(call, m, "NF", "kO", nullptr, false); break;
    case StoreResult::kTooLarge:
      call.stats.add(Counter::kStoreTooLarge);
      call.out.line(reply::kTooLarge);
      break;
    case StoreResult::kNoMemory:
      call.stats.add(Counter::kStoreNoMemory);
      call.out.line(reply::kNoMemory);
      break;
  }
  return Outcome::kContinue;
}

// md KEY FLAGS*
Outcome handle_meta_delete(Call& call) {
  if (call.tokens().size() < 2) {
    call.out.line(reply::kError);
    return Outcome::kContinue;
  }
  MetaRequest m;
  static constexpr MetaFlagRules kRules{"bkqxI", "CEOT", kInvalidOrDuplicate, kInvalidOrDuplicate};
  if (!prepare(call, 2, kRules, m)) return Outcome::kContinue;
  std::uint64_t compare_cas = 0, new_cas = 0;
  std::int64_t ttl_wire = 0;
  if (!numeric_token(m.flags, 'C', &compare_cas, parse_u64_token) ||
      !numeric_token(m.flags, 'T', &ttl_wire, parse_i64) || !new_cas_token(m, &new_cas)) {
    call.out.line(kBadToken);
    return Outcome::kContinue;
  }
  const bool invalidate = m.flags.has('I');
  const KeyRef key = call.key(m.key);
  const DeleteResult result = call.state.store.with_shard(key, [&](Store& s) {
    if (!m.flags.has('x') && !invalidate) return s.remove(key, call.now, compare_cas);
    // x keeps the item (flags, expiry) but drops its value; I keeps the value, gives the item a
    // new CAS and marks it stale (T then sets its TTL).
    std::uint32_t flags = 0;
    Tick exptime = kNever;
    std::uint64_t current = 0;
    std::string value;
    if (!s.peek(key, call.now, [&](const Item& it) {
          flags = it.flags, exptime = it.exptime, current = it.cas;
          if (!m.flags.has('x')) value.assign(it.value());
        }))
      return DeleteResult::kNotFound;
    if (compare_cas != 0 && compare_cas != current) return DeleteResult::kExists;
    if (invalidate && m.flags.has('T')) exptime = call.state.clock.expiry(ttl_wire);
    std::uint64_t stored_cas = 0;
    if (s.store(StoreMode::kSet, key, value, flags, exptime, 0, call.now, &stored_cas) !=
        StoreResult::kStored)
      return DeleteResult::kDeleted;
    if (m.flags.has('E')) {
      restamp_cas(s, key, new_cas, call.now);
      stored_cas = new_cas;
    }
    if (invalidate) call.state.meta_marks.set(m.key, stored_cas, MetaMark{true, false});
    return DeleteResult::kDeleted;
  });
  // md x or I keeps the item: only a real removal is a delete in the trace.
  if (!m.flags.has('x') && !invalidate) trace(call, TraceOp::kDelete, m.key, 0);
  switch (result) {
    case DeleteResult::kDeleted:
      call.stats.add(Counter::kDeleteHits);
      status_line(call, m, "HD", "kO", nullptr, true);
      break;
    case DeleteResult::kNotFound:
      call.stats.add(Counter::kDeleteMisses);
      status_line(call, m, "NF", "kO", nullptr, false);
      break;
    case DeleteResult::kExists:
      status_line(call, m, "EX", "kO", nullptr, false);
      break;
  }
  return Outcome::kContinue;
}

// ma KEY FLAGS*
Outcome handle_meta_arith(Call& call) {
  if (call.tokens().size() < 2) {
    call.out.line(reply::kError);
    return Outcome::kContinue;
  }
  MetaRequest m;
  static constexpr MetaFlagRules kRules{"bqtcvk", "CENJDTMO", kInvalidOrDuplicate, kInvalidOrDuplicate};
  if (!prepare(call, 2, kRules, m)) return Outcome::kContinue;
  std::uint64_t delta = 1, initial = 0, compare_cas = 0, new_cas = 0;
  std::int64_t vivify_ttl = 0, ttl_wire = 0;
  if (!numeric_token(m.flags, 'D', &delta, parse_u64_token)) {
    call.out.line(kInvalidOrDuplicate);
    return Outcome::kContinue;
  }
  if (!numeric_token(m.flags, 'J', &initial, parse_u64_token) ||
      !numeric_token(m.flags, 'N', &vivify_ttl, parse_i64) ||
      !numeric_token(m.flags, 'T', &ttl_wire, parse_i64) ||
      !numeric_token(m.flags, 'C', &compare_cas, parse_u64_token) || !new_cas_token(m, &new_cas)) {
    call.out.line(kBadToken);
    return Outcome::kContinue;
  }
  bool incr = true;
  if (m.flags.has('M')) {
    const std::string_view token = m.flags.token('M');
    const char c = token.size() == 1 ? token[0] : '?';
    if (c == 'D' || c == 'd' || c == '-') incr = false;
    else if (c != 'I' && c != 'i' && c != '+') {
      call.out.line("CLIENT_ERROR invalid mode for ma M token");
      return Outcome::kContinue;
    }
  }
  const KeyRef key = call.key(m.key);
  std::uint64_t value = 0;
  ItemView view{};
  bool created = false;
  ArithResult result = call.state.store.with_shard(key, [&](Store& s) {
    ArithResult r = s.arith(key, incr, delta, call.now, &value, nullptr, compare_cas);
    if (r == ArithResult::kNotFound && m.flags.has('N')) {
      // Auto-create with the initial value (the delta is not applied to it, as memcached).
      const std::string digits = std::to_string(initial);
      if (s.store(StoreMode::kAdd, key, digits, 0, call.state.clock.expiry(vivify_ttl), 0, call.now) ==
          StoreResult::kStored) {
        value = initial;
        created = true;
        r = ArithResult::kOk;
      }
    }
    if (r == ArithResult::kOk) {
      if (m.flags.has('T')) s.touch(key, call.now, call.state.clock.expiry(ttl_wire));
      if (m.flags.has('E')) restamp_cas(s, key, new_cas, call.now);
      s.peek(key, call.now, [&](const Item& it) { view = view_of(it, call.now, false); });
    }
    return r;
  });
  if (result == ArithResult::kNotFound && m.flags.has('N') && !created) {
    status_line(call, m, "NS", "kO", nullptr, false);
    return Outcome::kContinue;
  }
  switch (result) {
    case ArithResult::kOk:
      call.stats.add(incr ? Counter::kIncrHits : Counter::kDecrHits);
      if (m.flags.has('v')) {
        const std::string digits = std::to_string(value);
        call.out.raw("VA ");
        call.out.number(digits.size());
        append_return_flags(call.out, m.flags, "tckO", call.tokens()[1], &view);
        call.out.raw("\r\n");
        call.out.line(digits);
      } else {
        status_line(call, m, "HD", "tckO", &view, true);
      }
      break;
    case ArithResult::kNotFound:
      call.stats.add(incr ? Counter::kIncrMisses : Counter::kDecrMisses);
      status_line(call, m, "NF", "kO", nullptr, false);
      break;
    case ArithResult::kExists:
      status_line(call, m, "EX", "kO", nullptr, false);
      break;
    case ArithResult::kNonNumeric:
      call.out.line(reply::kNonNumeric);
      break;
  }
  return Outcome::kContinue;
}

Outcome handle_meta_noop(Call& call) {
  call.out.line("MN");
  return Outcome::kContinue;
}

// me KEY [b]: a human-readable dump of what the engine keeps about an item.
Outcome handle_meta_debug(Call& call) {
  const auto& t = call.tokens();
  if (t.size() < 2 || t.size() > 3 || (t.size() == 3 && t[2] != "b")) {
    call.out.line(reply::kBadFormat);
    return Outcome::kContinue;
  }
  call.stats.add(Counter::kCmdMeta);
  const auto key_bytes = meta_key(t[1], t.size() == 3);
  if (!key_bytes) {
    call.out.line(reply::kBadFormat);
    return Outcome::kContinue;
  }
  const KeyRef key = call.key(*key_bytes);
  const std::uint64_t overhead = call.state.store.config().overhead_bytes;
  const bool hit = call.state.store.with_shard(key, [&](Store& s) {
    return s.peek(key, call.now, [&](const Item& it) {
      call.out.raw("ME ");
      call.out.raw(t[1]);
      call.out.raw(" exp=");
      const std::int64_t ttl = ttl_of(it.exptime, call.now);
      call.out.raw(ttl < 0 ? "-1" : std::to_string(ttl));
      call.out.raw(" cas=");
      call.out.number(it.cas);
      call.out.raw(it.fetched ? " fetch=yes" : " fetch=no");
      call.out.raw(" cls=1 size=");
      call.out.number(it.key_len + it.value_len + overhead);
      call.out.raw("\r\n");
    });
  });
  if (!hit) call.out.line("EN");
  return Outcome::kContinue;
}

}  // namespace cachelab::protocol::detail
