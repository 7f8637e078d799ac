#pragma once
// Fills that take time, and what the application does about the reads that arrive meanwhile
// (issue 19: cache stampedes). Per class of a scenario:
//
//   fill_latency  how long reading the origin and storing the copy takes: `fixed(50ms)` (or a
//                 plain duration), `lognormal(median, p99)`, `empirical([10ms, 20ms, 80ms])`;
//                 default 0 = instant, as every fill was before.
//   protection    none           every read that misses reads the origin, also while another
//                                fill of the same key is under way (the dogpile);
//                 lease          the first miss fills; the others wait for its copy (memcached
//                                `mg N` + `W`/`Z` flags, Facebook's leases);
//                 serve-stale    once a copy has expired (or a write invalidated it) one reader
//                                refreshes it while the others are served the old copy, for up to
//                                `grace` after the expiry (memcached `mg R`, `md I`, `X`/`W`/`Z`);
//                 early-refresh  XFetch (Vattani, Chierichetti, Lowenstein, VLDB 2015): a reader
//                                refreshes before the expiry with a probability that grows as it
//                                nears, tuned by `beta`.
// docs/SIMULATOR.md shows the client code each one stands for.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "cachelab/sim/rng.h"

namespace cachelab::sim {

struct FillLatency {
  enum class Kind { kInstant, kFixed, kLognormal, kEmpirical };
  Kind kind = Kind::kInstant;
  double fixed_ms = 0;
  double mu = 0;     // lognormal: of ln(ms)
  double sigma = 0;
  std::vector<std::uint64_t> samples_ms;  // empirical: drawn uniformly

  bool instant() const noexcept { return kind == Kind::kInstant || (kind == Kind::kFixed && fixed_ms == 0); }
  // One fill's duration in whole ms (the replay's clock).
  std::uint64_t draw(Rng& rng) const;
};

// `fixed(50ms)`, `50ms`, `0`, `lognormal(20ms, 200ms)` (median, p99), `empirical([5ms, 8ms, 40ms])`.
// nullopt: bad text.
std::optional<FillLatency> parse_fill_latency(std::string_view text);

enum class Protection { kNone, kLease, kServeStale, kEarlyRefresh };
std::optional<Protection> parse_protection(std::string_view name);
std::string_view protection_name(Protection p);

struct FillPolicy {
  FillLatency latency;
  Protection protection = Protection::kNone;
  std::uint64_t grace_ms = 30'000;  // serve-stale: how long past its expiry a copy may be served
  double beta = 1.0;                // early-refresh: XFetch's beta (> 1 refreshes earlier)

  // False: fills are instant and unprotected, the replay's fast path (results as before issue 19).
  bool active() const noexcept { return !latency.instant() || protection != Protection::kNone; }
};

}  // namespace cachelab::sim
