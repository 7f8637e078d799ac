// flush_all, version, verbosity, quit, shutdown.
#include "handlers.h"

namespace cachelab::protocol::detail {

// flush_all [DELAY] [noreply]
Outcome handle_flush_all(Call& call) {
  const auto& t = call.tokens();
  if (t.size() > 3) {
    call.out.line(reply::kError);
    return Outcome::kContinue;
  }
  call.noreply = call.last_is_noreply();
  if (!call.state.settings.flush_enabled) {
    call.out.line("CLIENT_ERROR flush_all not allowed");
    return Outcome::kContinue;
  }
  call.stats.add(Counter::kCmdFlush);
  const bool has_delay = t.size() == 3 || (t.size() == 2 && !call.noreply);
  std::int32_t delay = 0;
  if (has_delay && !parse_i32(t[1], &delay)) {
    call.out.line(reply::kInvalidExptime);
    return Outcome::kContinue;
  }
  if (delay <= 0) {
    call.state.flush_now();
  } else {
    // Same rule as an item's exptime: up to 30 days is relative, above is a unix time.
    call.state.schedule_flush(delay <= kMaxRelativeExptime ? call.now_unix + delay : delay);
  }
  call.out.line(reply::kOk);
  return Outcome::kContinue;
}

Outcome handle_version(Call& call) {
  call.out.raw("VERSION ");
  call.out.line(call.state.settings.version);
  return Outcome::kContinue;
}

// verbosity LEVEL [noreply]
Outcome handle_verbosity(Call& call) {
  const auto& t = call.tokens();
  if (t.size() < 2 || t.size() > 3) {
    call.out.line(reply::kError);
    return Outcome::kContinue;
  }
  call.noreply = call.last_is_noreply();
  std::uint32_t level = 0;
  if (!parse_u32(t[1], &level)) {
    call.out.line(reply::kBadFormat);
    return Outcome::kContinue;
  }
  call.state.verbosity.store(level > 2 ? 2 : static_cast<int>(level), std::memory_order_relaxed);
  call.out.line(reply::kOk);
  return Outcome::kContinue;
}

Outcome handle_quit(Call&) { return Outcome::kClose; }

// shutdown [graceful]: only with -A, as memcached; any other mode is refused and nothing stops.
Outcome handle_shutdown(Call& call) {
  const auto& t = call.tokens();
  if (!call.state.settings.allow_shutdown) {
    call.out.line("ERROR: shutdown not enabled");
    return Outcome::kContinue;
  }
  const bool graceful = t.size() == 2 && t[1] == "graceful";
  if (t.size() > 2 || (t.size() == 2 && !graceful)) {
    call.out.line("CLIENT_ERROR invalid shutdown mode");
    return Outcome::kContinue;
  }
  if (call.state.request_shutdown) call.state.request_shutdown(graceful);
  return Outcome::kShutdown;
}

}  // namespace cachelab::protocol::detail
