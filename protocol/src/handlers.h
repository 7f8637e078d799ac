#pragma once
// Private to the protocol library: the context a command handler runs in, and the handlers.
#include <string_view>

#include "cachelab/protocol/executor.h"
#include "cachelab/protocol/store_modes.h"

namespace cachelab::protocol::detail {

struct Call {
  ServerState& state;
  CommandStats& stats;
  const Request& request;
  ReplyBuffer& out;
  std::int64_t now_unix;
  Tick now;
  // The connection's multi-get in pieces hit a bad key: its remaining pieces are dropped.
  bool& multi_get_failed;
  bool noreply = false;  // set by a handler when the client asked for no reply

  const std::vector<std::string_view>& tokens() const noexcept { return request.tokens; }
  // memcached's set_noreply_maybe: the last token may be "noreply".
  bool last_is_noreply() const noexcept { return request.tokens.back() == "noreply"; }
  KeyRef key(std::string_view bytes) const noexcept { return ShardedStore::key(bytes); }
};

using Handler = Outcome (*)(Call&);

// memcached's counters for one key read: cmd_get always; touch counters for gat/mg T.
inline void count_read(CommandStats& stats, bool touch, bool hit) noexcept {
  stats.add(Counter::kCmdGet);
  if (touch) {
    stats.add(Counter::kCmdTouch);
    stats.add(hit ? Counter::kTouchHits : Counter::kTouchMisses);
  } else {
    stats.add(hit ? Counter::kGetHits : Counter::kGetMisses);
  }
}

// --trace-out: records one key's command (trace_sink.h says what each op means). A store whose
// item is already expired is recorded as the delete it amounts to.
inline void trace(const Call& call, TraceOp op, std::string_view key, std::uint64_t size, Tick exptime = kNever) noexcept {
  if (!call.state.trace) return;
  std::int64_t ttl_s = 0;
  if (op == TraceOp::kSet && exptime != kNever) {
    ttl_s = static_cast<std::int64_t>(exptime) - static_cast<std::int64_t>(call.now);  // server ticks are seconds
    if (ttl_s <= 0) op = TraceOp::kDelete;
  }
  call.state.trace->record(op, key, size, op == TraceOp::kSet ? ttl_s : 0);
}

// The key + value bytes of the item now under `key` (after an append, an incr...), for the trace.
inline std::uint64_t traced_size(const Call& call, KeyRef key) {
  std::uint64_t size = 0;
  call.state.store.with_shard(key, [&](Store& s) {
    return s.peek(key, call.now, [&](const Item& it) { size = it.key_len + it.value_len; });
  });
  return size;
}

// The update commands (store_modes.h) with memcached's counting and tracing, shared by the
// text and the binary protocol (cmd_update.cpp). `cas` is the CAS the client sent (0: none):
// with -C no item has one, so a CAS given to delete/arith never matches.
StoreResult store_item(Call&, StoreMode mode, std::string_view key, std::string_view data,
                       std::uint32_t flags, Tick exptime, std::uint64_t cas, std::uint64_t* cas_out);
DeleteResult delete_item(Call&, std::string_view key, std::uint64_t cas);
ArithResult arith_item(Call&, bool incr, std::string_view key, std::uint64_t delta, std::uint64_t* value,
                       std::uint64_t cas_in, std::uint64_t* cas_out);
bool touch_item(Call&, std::string_view key, Tick exptime);

// Classic text commands.
Outcome handle_get(Call&);          // get, gets, gat, gats
Outcome handle_storage(Call&);      // set, add, replace, append, prepend, cas
Outcome handle_delete(Call&);
Outcome handle_arith(Call&);        // incr, decr
Outcome handle_touch(Call&);
Outcome handle_flush_all(Call&);
Outcome handle_version(Call&);
Outcome handle_verbosity(Call&);
Outcome handle_quit(Call&);
Outcome handle_shutdown(Call&);
Outcome handle_refresh_certs(Call&);  // cmd_tls.cpp
Outcome handle_stats(Call&);
// Meta commands.
Outcome handle_meta_get(Call&);
Outcome handle_meta_set(Call&);
Outcome handle_meta_delete(Call&);
Outcome handle_meta_arith(Call&);
Outcome handle_meta_noop(Call&);
Outcome handle_meta_debug(Call&);

}  // namespace cachelab::protocol::detail
