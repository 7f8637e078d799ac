#pragma once
// The origin model when fills take time (issue 19): which reads go to the database, which wait,
// which are served an expired copy, for each class's protection (fills.h). It decides only; the
// replay asks the cache, hands over what it found, and stores each copy when its fill completes.
//
// A fill started at t with latency L reads the origin's version at t and puts its copy in the cache
// at t + L, fresh for the TTL from then on. Until then the key is "being filled": a read that
// misses meanwhile is a concurrent miss, and the protection says what it does:
//   none           reads the origin too (a duplicate fill), and waits for its own fill;
//   lease          waits for the fill under way (wait = its completion - now), no origin read;
//   serve-stale    is served the old copy if the cache still holds one (grace), else waits as lease;
//                  after the copy's TTL (or an invalidating write) the first reader starts the
//                  refresh and is itself served the old copy: nobody waits while a copy is there;
//   early-refresh  XFetch: each hit refreshes early when now - delta beta ln(U) >= expiry (delta =
//                  the key's last fill time); the refresher reads the origin and waits, as in the
//                  paper's code; misses are handled as `none`.
#include <cstdint>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "cachelab/sim/fills.h"
#include "cachelab/sim/request.h"
#include "cachelab/sim/rng.h"

namespace cachelab::sim {

inline constexpr std::uint64_t kFreshForever = UINT64_MAX;

// What became of one read.
struct FillReadOutcome {
  bool hit = false;          // served from the cache (an expired copy too: expired_age_ms >= 0)
  bool origin_read = false;  // started a fill
  bool duplicate = false;    // ...while another fill of the key was under way
  bool waited = false;       // had no value until a fill completed (its own or another's)
  std::uint64_t wait_ms = 0;
  std::int64_t expired_age_ms = -1;       // served a copy past its TTL or invalidated: since when
  std::int64_t early_lead_ms = -1;        // XFetch: refreshed this long before the expiry
};

// A fill under way, to be stored when it completes.
struct Fill {
  std::uint64_t done_ms;
  std::uint64_t seq;  // start order: ties complete in the order they started
  std::uint64_t generation;  // the key's generation at the start (a token a write revokes)
  std::uint64_t started_ms;
  std::uint64_t version;  // the origin's version when the fill read it
  std::uint32_t process;  // the application process that filled (local caches)
  Request request;        // the read that started it (key, size, TTL, class)
};

class FillModel {
 public:
  FillModel(std::vector<FillPolicy> policies, std::uint64_t seed);

  // The class's policy (the default, inactive one for a class without an entry).
  const FillPolicy& policy(std::uint16_t source) const noexcept {
    return source < policies_.size() ? policies_[source] : default_policy_;
  }

  // A read of r.key at now_ms. cached: the cache holds a live copy of it (for serve-stale the
  // cache keeps copies `grace` past their TTL; this model knows which are past it).
  FillReadOutcome read(const Request& r, std::uint64_t now_ms, bool cached, std::uint64_t version,
                       std::uint32_t process);

  // Removes and returns the earliest fill completed at or before now_ms.
  std::optional<Fill> pop_due(std::uint64_t now_ms);

  // The fill's copy is now in the cache, fresh until fresh_until_ms (kFreshForever: no TTL).
  void landed(const Fill& fill, std::uint64_t fresh_until_ms);
  // update-on-write replaced the cached copy with `version`, fresh until fresh_until_ms.
  void updated(std::uint64_t key, std::uint64_t version, std::uint64_t fresh_until_ms);
  // serve-stale and a write that invalidates: the copy is kept, marked stale from now (memcached
  // `md I`). Returns the version of the copy to keep, or nullopt when this model knows none.
  std::optional<std::uint64_t> invalidate(std::uint64_t key, std::uint64_t now_ms);
  // lease and serve-stale: a write that reaches the cache revokes the fills under way (memcached's
  // token: their `ms` fails, as Facebook's leases do), so they cannot store a copy the write made
  // outdated; the next miss fills anew. none and early-refresh have no token: the race stays.
  void revoke_fills(std::uint64_t key);
  // False: the fill was revoked, its copy is not stored.
  bool may_store(const Fill& fill) const;

 private:
  struct KeyState {
    std::uint64_t fresh_until_ms = kFreshForever;  // of the copy last stored
    std::uint64_t copy_version = 0;
    std::uint64_t invalidated_ms = 0;  // valid when invalidated
    std::uint64_t lease_done_ms = 0;   // when the fill readers wait for completes
    std::uint64_t last_fill_ms = 0;    // XFetch's delta: how long the last fill took
    std::uint64_t generation = 0;      // bumped by revoke_fills
    std::uint32_t in_flight = 0;       // fills of this generation started, not yet completed
    bool has_copy = false;
    bool invalidated = false;
  };
  struct Later {
    bool operator()(const Fill& a, const Fill& b) const noexcept {
      return a.done_ms != b.done_ms ? a.done_ms > b.done_ms : a.seq > b.seq;
    }
  };

  // Starts a fill of r.key; returns its latency.
  std::uint64_t start_fill(const Request& r, std::uint64_t now_ms, std::uint64_t version, std::uint32_t process,
                  KeyState& key, FillReadOutcome& out);
  void wait_for_fill(const KeyState& key, std::uint64_t now_ms, FillReadOutcome& out) const;

  std::vector<FillPolicy> policies_;
  FillPolicy default_policy_;
  std::unordered_map<std::uint64_t, KeyState> keys_;
  std::priority_queue<Fill, std::vector<Fill>, Later> under_way_;
  std::uint64_t next_seq_ = 0;
  Rng rng_;
};

}  // namespace cachelab::sim
