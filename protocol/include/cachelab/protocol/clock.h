#pragma once
// Time for the server: wall-clock seconds, and their mapping to engine ticks (which the engine
// compares but never reads). Expiry follows memcached: 0 never, up to 30 days relative seconds,
// above that an absolute unix time, negative = already expired.
#include <atomic>
#include <cstdint>

#include "cachelab/types.h"

namespace cachelab::protocol {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t unix_now() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t unix_now() const override;
};

// For tests: time moves only when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start) : now_(start) {}
  std::int64_t unix_now() const override { return now_.load(std::memory_order_relaxed); }
  void advance(std::int64_t seconds) { now_.fetch_add(seconds, std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> now_;
};

inline constexpr std::int64_t kMaxRelativeExptime = 60 * 60 * 24 * 30;  // memcached's 30 days

class ExpiryClock {
 public:
  // Tick 1 means "long past". The clock starts at tick 62, as memcached's current_time does
  // (its process_started is set 62 s back), so that a TTL gone negative (`mg T-1 t`), which
  // both print as an unsigned 32-bit number, reads the same on both.
  explicit ExpiryClock(const Clock& clock) : clock_(clock), base_(clock.unix_now() - kFirstTick) {}
  static constexpr std::int64_t kFirstTick = 62;

  std::int64_t unix_now() const { return clock_.unix_now(); }
  Tick now() const { return tick_of_unix(unix_now()); }
  // The engine expiry for an exptime as sent by a client.
  Tick expiry(std::int64_t exptime) const;
  // Absolute unix time <-> tick (snapshots keep absolute times across restarts).
  Tick tick_of_unix(std::int64_t unix_seconds) const noexcept;
  std::int64_t unix_of_tick(Tick tick) const noexcept { return base_ + tick; }

 private:
  const Clock& clock_;
  std::int64_t base_;  // unix time of tick 0
};

}  // namespace cachelab::protocol
