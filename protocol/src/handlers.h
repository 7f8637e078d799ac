#pragma once
// Private to the protocol library: the context a command handler runs in, and the handlers.
#include <string_view>

#include "cachelab/protocol/executor.h"

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
Outcome handle_stats(Call&);
// Meta commands.
Outcome handle_meta_get(Call&);
Outcome handle_meta_set(Call&);
Outcome handle_meta_delete(Call&);
Outcome handle_meta_arith(Call&);
Outcome handle_meta_noop(Call&);
Outcome handle_meta_debug(Call&);

}  // namespace cachelab::protocol::detail
