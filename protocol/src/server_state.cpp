#include "cachelab/protocol/server_state.h"

namespace cachelab::protocol {

ServerState::ServerState(ShardedStore& s, const Clock& c, ServerSettings st, std::size_t workers)
    : store(s),
      clock(c),
      settings(std::move(st)),
      started_unix(c.unix_now()),
      workers_(workers == 0 ? 1 : workers) {}

std::uint64_t ServerState::total(Counter c) const noexcept {
  std::uint64_t sum = 0;
  for (const auto& w : workers_) sum += w.get(c);
  return sum;
}

void ServerState::reset_counters() noexcept {
  for (auto& w : workers_) w.reset();
  store.each_shard([](Store& s) { s.reset_stats(); });
}

void ServerState::flush_now() {
  pending_flush_.store(0, std::memory_order_relaxed);
  store.each_shard([](Store& s) { s.flush(); });
}

void ServerState::run_due_flush(std::int64_t now_unix) {
  std::int64_t due = pending_flush_.load(std::memory_order_relaxed);
  if (due == 0 || now_unix < due) return;
  // Only the thread that clears it runs the flush.
  if (pending_flush_.compare_exchange_strong(due, 0, std::memory_order_relaxed))
    store.each_shard([](Store& s) { s.flush(); });
}

}  // namespace cachelab::protocol
