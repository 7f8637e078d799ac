#pragma once
// The executor: applies one parsed request to the store and writes its reply. One handler per
// command (see src/handlers.h), chosen through a table indexed by CommandId.
#include "cachelab/protocol/reply.h"
#include "cachelab/protocol/request.h"
#include "cachelab/protocol/server_state.h"

namespace cachelab::protocol {

enum class Outcome {
  kContinue,  // go on with the next request
  kClose,     // `quit`, or a state the connection cannot recover from: close after the replies
  kShutdown,  // `shutdown` (with -A): close, the server is stopping
  kDrop,      // close at once; replies not yet sent are dropped (memcached's conn_closing)
};

class Executor {
 public:
  // One executor per connection. `stats` is the counters of the calling worker thread.
  Executor(ServerState& state, CommandStats& stats) : state_(state), stats_(stats) {}

  Outcome execute(const Request& request, ReplyBuffer& out);

 private:
  ServerState& state_;
  CommandStats& stats_;
  bool multi_get_failed_ = false;  // see detail::Call::multi_get_failed
};

}  // namespace cachelab::protocol
