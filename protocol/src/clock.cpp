#include "cachelab/protocol/clock.h"

#include <algorithm>
#include <chrono>

namespace cachelab::protocol {

std::int64_t SystemClock::unix_now() const {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

Tick ExpiryClock::tick_of_unix(std::int64_t unix_seconds) const noexcept {
  const std::int64_t tick = unix_seconds - base_;
  return static_cast<Tick>(std::clamp<std::int64_t>(tick, 1, UINT32_MAX));
}

Tick ExpiryClock::expiry(std::int64_t exptime) const {
  if (exptime == 0) return kNever;
  if (exptime < 0) return 1;
  if (exptime <= kMaxRelativeExptime) return tick_of_unix(unix_now() + exptime);
  return tick_of_unix(exptime);  // absolute; a time before the server started is long past
}

}  // namespace cachelab::protocol
