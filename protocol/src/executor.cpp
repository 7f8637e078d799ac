#include "cachelab/protocol/executor.h"

#include <array>

#include "handlers.h"

namespace cachelab::protocol {
namespace {

using detail::Handler;

constexpr std::array<Handler, static_cast<std::size_t>(CommandId::kCount)> make_table() {
  std::array<Handler, static_cast<std::size_t>(CommandId::kCount)> t{};
  auto at = [&t](CommandId id) -> Handler& { return t[static_cast<std::size_t>(id)]; };
  at(CommandId::kGet) = at(CommandId::kGets) = at(CommandId::kGat) = at(CommandId::kGats) =
      detail::handle_get;
  at(CommandId::kSet) = at(CommandId::kAdd) = at(CommandId::kReplace) = detail::handle_storage;
  at(CommandId::kAppend) = at(CommandId::kPrepend) = at(CommandId::kCas) = detail::handle_storage;
  at(CommandId::kDelete) = detail::handle_delete;
  at(CommandId::kIncr) = at(CommandId::kDecr) = detail::handle_arith;
  at(CommandId::kTouch) = detail::handle_touch;
  at(CommandId::kFlushAll) = detail::handle_flush_all;
  at(CommandId::kVersion) = detail::handle_version;
  at(CommandId::kVerbosity) = detail::handle_verbosity;
  at(CommandId::kQuit) = detail::handle_quit;
  at(CommandId::kShutdown) = detail::handle_shutdown;
  at(CommandId::kStats) = detail::handle_stats;
  at(CommandId::kMetaGet) = detail::handle_meta_get;
  at(CommandId::kMetaSet) = detail::handle_meta_set;
  at(CommandId::kMetaDelete) = detail::handle_meta_delete;
  at(CommandId::kMetaArith) = detail::handle_meta_arith;
  at(CommandId::kMetaNoop) = detail::handle_meta_noop;
  at(CommandId::kMetaDebug) = detail::handle_meta_debug;
  return t;
}

constexpr auto kHandlers = make_table();

bool is_meta(CommandId id) noexcept { return id >= CommandId::kMetaGet && id <= CommandId::kMetaDebug; }

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
