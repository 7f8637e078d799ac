// Meta commands: mg ms md ma mn me, as memcached 1.6.18 answers them (its proto_text.c is the
// reference where its doc/protocol.txt says otherwise; docs/PROTOCOL.md lists those cases).
// Stale, recache-token and fetched marks are bits of the item (Item::stale, token_sent,
// fetched), changed in place through Store::modify: nothing is copied to mark an item.
#include <string>

#include "cachelab/protocol/base64.h"
#include "meta_flags.h"

namespace cachelab::protocol::detail {
namespace {

constexpr std::size_t kMaxMetaTokens = 19;  // memcached: ntokens (with its end marker) <= 20

// The O and k flags every reply echoes, in request order (misses and failures echo only these).
void append_opaque_and_key(ReplyBuffer& out, const MetaRequest& m) {
  for (std::string_view t : m.flags) {
    if (t.front() == 'O') {
      out.raw(" ");
      out.raw(t);
    } else if (t.front() == 'k') {
      append_meta_key(out, m.key, m.key_binary);
    }
  }
}

// memcached's mg reads these with the item locked and bumps it after the reply; without them it
// bumps as it looks the item up, before the reply (so even a reply that then fails bumps it).
bool bumps_after_reply(const MetaRequest& m) {
  for (std::string_view t : m.flags)
    if (t.front() == 'N' || t.front() == 'T' || t.front() == 'R' || t.front() == 'l' || t.front() == 'h') return true;
  return false;
}

bool opaque_too_long(const MetaRequest& m) {
  for (std::string_view t : m.flags)
    if (t.front() == 'O' && t.size() > kMaxOpaqueLength) return true;
  return false;
}

// The first checks of mg md ma (ms's are the parser's): memcached's order and words.
bool check_line(Call& call, std::string_view too_long) {
  const auto& t = call.tokens();
  if (t.size() < 2) {
    call.out.line(reply::kError);
    return false;
  }
  if (t[1].size() > kMaxKeyLength) {
    call.out.line(reply::kBadFormat);
    return false;
  }
  if (t.size() > kMaxMetaTokens) {
    call.out.line(too_long);
    return false;
  }
  return true;
}

// The status line of mg's hit, written while the item is held: flags in request order, T N R
// applied where they stand (so `t` before `T` shows the old TTL, as memcached's loop does),
// then Z X W. An over-long O stops it where it stands, as memcached's loop does: what came
// before (a new TTL) stays, nothing after (the win, the bump) happens; returns false then.
bool write_hit_line(Call& call, const MetaRequest& m, const Item& it, ItemMeta& meta, bool created) {
  ReplyBuffer& out = call.out;
  if (m.value) {
    out.raw("VA ");
    out.number(it.value_len);
  } else {
    out.raw("HD");
  }
  bool won = false;
  for (std::string_view t : m.flags) {
    switch (t.front()) {
      case 'T': meta.exptime = call.state.clock.expiry(m.ttl); break;
      case 'N':
        if (created) {
          meta.exptime = call.state.clock.expiry(m.vivify_ttl);
          won = true;
        }
        break;
      case 'R':
        if (!meta.token_sent && !created && meta.exptime != kNever &&
            meta.exptime < call.state.clock.expiry(m.recache_ttl))
          won = true;
        break;
      case 's': out.raw(" s"), out.number(it.value_len); break;
      case 't':
        out.raw(" t");
        if (meta.exptime == kNever) out.raw("-1");
        else out.number(static_cast<std::uint32_t>(meta.exptime - call.now));  // memcached's itoa_u32
        break;
      case 'c': out.raw(" c"), out.number(meta.cas); break;
      case 'f': out.raw(" f"), out.number(it.flags); break;
      case 'l': out.raw(" l"), out.number(it.seconds_since_access(call.now)); break;
      case 'h': out.raw(it.fetched ? " h1" : " h0"); break;
      case 'O':
        if (t.size() > kMaxOpaqueLength) return false;
        out.raw(" "), out.raw(t);
        break;
      case 'k': append_meta_key(out, it.key(), it.binary_key()); break;  // as the item was stored
      default: break;
    }
  }
  // Z before X, and no W beside a Z: one recache token per stale or expiring item.
  if (meta.token_sent) out.raw(" Z");
  if (meta.stale) {
    out.raw(" X");
    if (!meta.token_sent) won = true;
  }
  if (won) {
    out.raw(" W");
    meta.token_sent = true;
  }
  out.raw("\r\n");
  if (m.value) {
    out.raw(it.value());
    out.raw("\r\n");
  }
  return true;
}

}  // namespace

// mg KEY FLAGS*
Outcome handle_meta_get(Call& call) {
  if (!check_line(call, "CLIENT_ERROR options flags are too long")) return Outcome::kContinue;
  call.stats.add(Counter::kCmdMeta);
  MetaRequest m;
  if (auto error = parse_meta_flags(call.tokens(), 2, m)) {
    call.out.line(*error);
    return Outcome::kContinue;
  }
  const KeyRef key = call.key(m.key);
  const std::size_t mark = call.out.mark();
  bool opaque_error = opaque_too_long(m);  // a miss says so too; a hit once it reaches the O
  std::uint64_t traced = 0;  // key + value bytes of a hit, for --trace-out
  const bool hit = call.state.store.with_shard(key, [&](Store& s) {
    // N: a miss creates an empty item (never expiring until N's TTL is applied where N stands
    // among the flags), and this client wins the right to fill it.
    bool created = false;
    if (m.vivify && !s.peek(key, call.now, [](const Item&) {}))
      created = store_value(s, StoreMode::kAdd, key, {}, 0, kNever, 0, call.now) == StoreResult::kStored;
    // One lookup: the reply reads the item's state before this request bumps it (h, l), and
    // a won token or a new TTL is written back in place.
    return s.modify(key, call.now, [&](const Item& it, ItemMeta& meta) {
      traced = it.key_len + it.value_len;
      opaque_error = !write_hit_line(call, m, it, meta, created);
      meta.bump = !m.no_update && (!opaque_error || !bumps_after_reply(m)) ? Bump::kRead : Bump::kNone;
    });
  });
  if (opaque_error) {
    call.out.rollback(mark);
    call.out.line("CLIENT_ERROR opaque token too long");
    return Outcome::kContinue;
  }
  count_read(call.stats, m.new_ttl, hit);
  trace(call, TraceOp::kGet, m.key, traced);
  if (!hit && !m.no_reply) {
    call.out.raw("EN");
    append_opaque_and_key(call.out, m);
    call.out.raw("\r\n");
  }
  return Outcome::kContinue;
}

// ms KEY DATALEN FLAGS* \r\n DATA \r\n (the parser checked the line up to DATALEN and read the data)
Outcome handle_meta_set(Call& call) {
  call.stats.add(Counter::kCmdMeta);
  MetaRequest m;
  if (auto error = parse_meta_flags(call.tokens(), 3, m)) {
    call.out.line(*error);
    return Outcome::kContinue;
  }
  StoreMode mode = StoreMode::kSet;
  switch (m.mode) {
    case 0: case 'S': break;
    case 'E': mode = StoreMode::kAdd; break;
    case 'A': mode = StoreMode::kAppend; break;
    case 'P': mode = StoreMode::kPrepend; break;
    case 'R': mode = StoreMode::kReplace; break;
    default:
      call.out.line("CLIENT_ERROR invalid mode for ms M token");
      return Outcome::kContinue;
  }
  if (opaque_too_long(m)) {  // memcached finds it first but reports the mode before it
    call.out.line("CLIENT_ERROR opaque token too long");
    return Outcome::kContinue;
  }
  // A CAS upgrades set and replace to cas; add ignores it; append and prepend check it.
  const bool cas_mode = m.has_cas && (mode == StoreMode::kSet || mode == StoreMode::kReplace);
  const bool may_set_stale = m.set_stale && cas_mode;
  const KeyRef key = call.key(m.key);
  const Tick exptime = m.new_ttl ? call.state.clock.expiry(m.ttl) : kNever;
  std::uint64_t stored_cas = 0;
  std::uint64_t stored_size = 0;
  const StoreResult result = call.state.store.with_shard(key, [&](Store& s) {
    bool present = false, stale_write = false, token_sent = false;
    Tick old_exptime = kNever;
    std::uint64_t current = 0;
    s.peek(key, call.now, [&](const Item& it) {
      present = true;
      current = it.cas;
      old_exptime = it.exptime;
      token_sent = it.token_sent;
    });
    // memcached's CAS outcomes: none (C0), match, stale (I: an older CAS still writes, marked
    // stale), or a mismatch.
    stale_write = may_set_stale && present && m.cas != 0 && m.cas < current;
    // A miss or a mismatch is store_value's answer: kCas needs the item and its CAS, and
    // append/prepend check a CAS they are given (add ignores it).
    std::uint64_t cas_in = m.cas;
    StoreMode effective = cas_mode ? StoreMode::kCas : mode;
    if (stale_write) {
      // Keeps the TTL and the token mark of the value it overwrites (memcached's CAS_STALE).
      effective = StoreMode::kSet;
      cas_in = 0;
    }
    // Later replies echo the key as it was sent here; an append or prepend makes a new item in
    // memcached, which does not carry the mark.
    ItemMarks marks{.binary_key = m.key_binary && mode != StoreMode::kAppend && mode != StoreMode::kPrepend};
    if (stale_write) {
      marks.stale = true;
      marks.token_sent = token_sent;
    }
    const StoreResult r = store_value(s, effective, key, call.request.data, m.client_flags,
                                      stale_write ? old_exptime : exptime, cas_in, call.now, &stored_cas, marks);
    if (r == StoreResult::kStored && call.state.trace)
      s.peek(key, call.now, [&](const Item& it) { stored_size = it.key_len + it.value_len; });
    return r;
  });
  call.stats.add(Counter::kCmdSet);
  if (result == StoreResult::kStored) trace(call, TraceOp::kSet, m.key, stored_size, exptime);
  std::string_view code;
  switch (result) {
    case StoreResult::kStored: code = "HD"; break;
    case StoreResult::kNotStored: code = "NS"; break;
    case StoreResult::kExists: code = "EX"; break;
    case StoreResult::kNotFound: code = "NF"; break;
    case StoreResult::kTooLarge:
      call.stats.add(Counter::kStoreTooLarge);
      call.out.line(reply::kTooLarge);
      return Outcome::kContinue;
    case StoreResult::kNoMemory:
      call.stats.add(Counter::kStoreNoMemory);
      call.out.line(reply::kNoMemory);
      return Outcome::kContinue;
  }
  if (result == StoreResult::kStored && m.no_reply) return Outcome::kContinue;
  call.out.raw(code);
  for (std::string_view t : m.flags) {
    if (t.front() == 'O') call.out.raw(" "), call.out.raw(t);
    else if (t.front() == 'k') append_meta_key(call.out, m.key, m.key_binary);
    else if (t.front() == 'c') call.out.raw(" c"), call.out.number(result == StoreResult::kStored ? stored_cas : 0);
  }
  call.out.raw("\r\n");
  return Outcome::kContinue;
}

// md KEY FLAGS*
Outcome handle_meta_delete(Call& call) {
  if (!check_line(call, "CLIENT_ERROR options flags too long")) return Outcome::kContinue;
  call.stats.add(Counter::kCmdMeta);
  MetaRequest m;
  if (parse_meta_flags(call.tokens(), 2, m)) {
    call.out.line("CLIENT_ERROR invalid or duplicate flag");
    return Outcome::kContinue;
  }
  if (opaque_too_long(m)) {
    call.out.line("CLIENT_ERROR opaque token too long");
    return Outcome::kContinue;
  }
  const KeyRef key = call.key(m.key);
  const DeleteResult result = call.state.store.with_shard(key, [&](Store& s) {
    bool mismatch = false;
    const bool found = s.modify(key, call.now, [&](const Item&, ItemMeta& meta) {
      if (m.has_cas && meta.cas != m.cas) {
        mismatch = true;
        return;
      }
      if (!m.set_stale) return;
      // I: the item stays, stale, with a new CAS (T sets its TTL); the token mark is cleared so
      // that the next reader wins the recache.
      if (m.new_ttl) meta.exptime = call.state.clock.expiry(m.ttl);
      meta.stale = true;
      meta.token_sent = false;
      meta.fresh_cas = true;
    });
    if (!found) return DeleteResult::kNotFound;
    if (mismatch) return DeleteResult::kExists;
    if (!m.set_stale) s.remove(key, call.now);
    return DeleteResult::kDeleted;
  });
  if (!m.set_stale && result == DeleteResult::kDeleted) trace(call, TraceOp::kDelete, m.key, 0);
  std::string_view code = "HD";
  switch (result) {
    case DeleteResult::kDeleted:
      if (!m.set_stale) call.stats.add(Counter::kDeleteHits);
      if (m.no_reply) return Outcome::kContinue;
      break;
    case DeleteResult::kNotFound:
      call.stats.add(Counter::kDeleteMisses);
      code = "NF";
      break;
    case DeleteResult::kExists:
      call.stats.add(Counter::kDeleteMisses);
      code = "EX";
      break;
  }
  call.out.raw(code);
  append_opaque_and_key(call.out, m);
  call.out.raw("\r\n");
  return Outcome::kContinue;
}

// ma KEY FLAGS*
Outcome handle_meta_arith(Call& call) {
  if (!check_line(call, "CLIENT_ERROR options flags too long")) return Outcome::kContinue;
  call.stats.add(Counter::kCmdMeta);
  MetaRequest m;
  if (parse_meta_flags(call.tokens(), 2, m)) {
    call.out.line("CLIENT_ERROR invalid or duplicate flag");
    return Outcome::kContinue;
  }
  bool incr = true;
  switch (m.mode) {
    case 0: case 'I': case '+': break;
    case 'D': case '-': incr = false; break;
    default:
      call.out.line("CLIENT_ERROR invalid mode for ma M token");
      return Outcome::kContinue;
  }
  // An over-long O is found while the reply is written, after the arithmetic (memcached): the
  // number changes, the client gets the error.
  bool opaque_error = false;
  const KeyRef key = call.key(m.key);
  std::uint64_t value = 0;
  bool created = false;
  const std::size_t mark = call.out.mark();
  const ArithResult result = call.state.store.with_shard(key, [&](Store& s) {
    std::size_t old_len = 0;
    s.peek(key, call.now, [&](const Item& it) { old_len = it.value_len; });
    ArithResult r = apply_delta(s, key, incr, m.delta, call.now, &value, nullptr, m.has_cas ? m.cas : 0);
    // A number that outgrows its item is written to a new one, and memcached applies T to the
    // old, unlinked one: the new TTL is lost. Same here, so that clients see the same thing.
    const bool moved = r == ArithResult::kOk && std::to_string(value).size() > old_len;
    if (r == ArithResult::kNotFound && m.vivify) {
      // Created with the initial value, the delta not applied (memcached); N's TTL is applied
      // below, where N stands among the flags.
      const std::string digits = std::to_string(m.initial);
      const StoreResult stored = store_value(s, StoreMode::kAdd, key, digits, 0, kNever, 0, call.now);
      if (stored == StoreResult::kStored) {
        value = m.initial;
        created = true;
        r = ArithResult::kOk;
      } else if (stored != StoreResult::kNotStored) {
        r = ArithResult::kNoMemory;
      }
    }
    if (r != ArithResult::kOk) return r;
    s.modify(key, call.now, [&](const Item&, ItemMeta& meta) {
      const std::string digits = std::to_string(value);
      if (m.value) {
        call.out.raw("VA ");
        call.out.number(digits.size());
      } else {
        call.out.raw("HD");
      }
      Tick shown = meta.exptime;  // the expiry of the item memcached holds (the old one if moved)
      for (std::string_view t : m.flags) {
        switch (t.front()) {
          case 'c': call.out.raw(" c"), call.out.number(meta.cas); break;
          case 't':
            call.out.raw(" t");
            if (shown == kNever) call.out.raw("-1");
            else call.out.number(static_cast<std::uint32_t>(shown - call.now));
            break;
          case 'T':
            shown = call.state.clock.expiry(m.ttl);
            if (created || !moved) meta.exptime = shown;
            break;
          case 'N':
            if (created) meta.exptime = shown = call.state.clock.expiry(m.vivify_ttl);
            break;
          case 'O':
            if (t.size() > kMaxOpaqueLength) opaque_error = true;
            else call.out.raw(" "), call.out.raw(t);
            break;
          case 'k': append_meta_key(call.out, m.key, m.key_binary); break;
          default: break;
        }
        if (opaque_error) return;
      }
      if (m.value) {
        call.out.raw("\r\n");
        call.out.raw(digits);
      }
      call.out.raw("\r\n");
    });
    return r;
  });
  const bool echoes = result == ArithResult::kOk || result == ArithResult::kNotFound || result == ArithResult::kExists;
  if (echoes && (opaque_error || opaque_too_long(m))) {
    call.out.rollback(mark);
    call.out.line("CLIENT_ERROR opaque token too long");
    return Outcome::kContinue;
  }
  switch (result) {
    case ArithResult::kOk:
      call.stats.add(incr ? Counter::kIncrHits : Counter::kDecrHits);
      // q hides the reply of an arithmetic that hit, not of one that created the item (memcached)
      if (m.no_reply && !created) call.out.rollback(mark);
      break;
    case ArithResult::kNotFound:
      call.stats.add(incr ? Counter::kIncrMisses : Counter::kDecrMisses);
      call.out.raw("NF");
      append_opaque_and_key(call.out, m);
      call.out.raw("\r\n");
      break;
    case ArithResult::kExists:
      call.out.raw("EX");
      append_opaque_and_key(call.out, m);
      call.out.raw("\r\n");
      break;
    case ArithResult::kNonNumeric:
      call.out.line(reply::kNonNumeric);
      break;
    case ArithResult::kNoMemory:
      call.out.line(reply::kArithNoMemory);
      break;
  }
  return Outcome::kContinue;
}

Outcome handle_meta_noop(Call& call) {
  call.out.line("MN");
  return Outcome::kContinue;
}

// me KEY [b]: what the engine keeps about an item, in memcached's words. exp is memcached's
// current_time - exptime (so a live item shows minus its TTL), la the seconds since the last
// access, size cachelab's charge for the item (memcached's is its slab item size).
Outcome handle_meta_debug(Call& call) {
  const auto& t = call.tokens();
  if (t.size() < 2 || t[1].size() > kMaxKeyLength) {
    call.out.line(reply::kBadFormat);
    return Outcome::kContinue;
  }
  std::string key_bytes(t[1]);
  const bool binary = t.size() >= 3 && t[2] == "b";
  if (binary) {
    auto decoded = base64_decode(t[1]);
    if (!decoded || decoded->empty()) {
      call.out.line(reply::kBadFormat);
      return Outcome::kContinue;
    }
    key_bytes = std::move(*decoded);
  }
  call.stats.add(Counter::kCmdMeta);
  const KeyRef key = call.key(key_bytes);
  const std::uint64_t overhead = call.state.store.config().overhead_bytes;
  const bool hit = call.state.store.with_shard(key, [&](Store& s) {
    return s.peek(key, call.now, [&](const Item& it) {
      call.out.raw("ME ");
      call.out.raw(it.binary_key() ? base64_encode(it.key()) : std::string(it.key()));
      call.out.raw(" exp=");
      append_signed(call.out, it.exptime == kNever ? -1 : -ttl_of(it.exptime, call.now));
      call.out.raw(" la=");
      call.out.number(it.seconds_since_access(call.now));
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
