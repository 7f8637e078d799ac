#include "cachelab/protocol/executor.h"

#include <array>

#include "handlers.h"

namespace cachelab::protocol {
namespace {

using detail::Handler;

// Expanded from the one command list (commands.h): every id has its handler.
constexpr std::array<Handler, static_cast<std::size_t>(CommandId::kCount)> kHandlers{
    nullptr,  // kUnknown
#define CACHELAB_COMMAND_HANDLER(id, name, handler, kind) detail::handler,
    CACHELAB_COMMANDS(CACHELAB_COMMAND_HANDLER)
#undef CACHELAB_COMMAND_HANDLER
};

// Replies for errors the parser found. A data error on a `set` drops the old value, as memcached
// does, so that a failed update never leaves a stale value readable.
Outcome reply_parse_error(detail::Call& call) {
  const Request& r = call.request;
  call.noreply = r.noreply && !is_meta(r.command);  // meta commands always report errors
  switch (r.error) {
    case ParseError::kUnknownCommand:
      call.noreply = false;
      call.out.line(reply::kError);
      break;
    case ParseError::kBadFormat:
      call.out.line(reply::kBadFormat);
      break;
    case ParseError::kBadDataChunk:
      call.out.line(reply::kBadDataChunk);
      break;
    case ParseError::kMetaTooManyFlags:
      call.out.line("CLIENT_ERROR options flags too long");
      break;
    case ParseError::kHttpRequest:
      return Outcome::kDrop;
    case ParseError::kTooLarge:
      call.stats.add(Counter::kStoreTooLarge);
      if (r.command == CommandId::kSet || r.command == CommandId::kMetaSet) {
        const KeyRef key = call.key(r.storage.key);
        call.state.store.with_shard(key, [&](Store& s) { return s.remove(key, call.now); });
      }
      call.out.line(reply::kTooLarge);
      break;
    case ParseError::kNone:
      break;
  }
  return Outcome::kContinue;
}

}  // namespace

Outcome Executor::execute(const Request& request, ReplyBuffer& out) {
  const std::int64_t now_unix = state_.clock.unix_now();
  state_.run_due_flush(now_unix);
  detail::Call call{state_, stats_, request, out, now_unix, state_.clock.tick_of_unix(now_unix),
                    multi_get_failed_};
  const std::size_t mark = out.mark();
  Outcome outcome = Outcome::kContinue;
  if (request.error != ParseError::kNone) {
    outcome = reply_parse_error(call);
  } else {
    const Handler handler = kHandlers[static_cast<std::size_t>(request.command)];
    outcome = handler ? handler(call) : (out.line(reply::kError), Outcome::kContinue);
  }
  if (call.noreply) out.rollback(mark);
  return outcome;
}

}  // namespace cachelab::protocol
