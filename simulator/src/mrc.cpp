#include "cachelab/sim/mrc.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "cachelab/flat_map.h"
#include "cachelab/sim/key_sample.h"

namespace cachelab::sim {
namespace {

// Sums of weights over positions 1..n; positions are request numbers, weights are the sizes (or
// 1) of each object at its most recent access, so the sum over (p, t) is the stack distance.
// Only the latest access of each object carries a mark, so when the positions run out the live
// marks are renumbered 1..D in order (compaction): the tree stays about twice the number of
// distinct objects instead of growing with the trace (10M requests over 760k objects: a 16 MiB
// tree that mostly stays in cache, instead of 128 MiB).
class FenwickTree {
 public:
  explicit FenwickTree(std::size_t n) : tree_(n + 1, 0) {}
  std::size_t size() const noexcept { return tree_.size() - 1; }
  void add(std::size_t pos, std::int64_t delta) {
    for (; pos < tree_.size(); pos += pos & (~pos + 1)) tree_[pos] += delta;
  }
  std::int64_t prefix(std::size_t pos) const {
    std::int64_t sum = 0;
    for (; pos > 0; pos -= pos & (~pos + 1)) sum += tree_[pos];
    return sum;
  }
  // Replaces the contents with point values (values[0] unused), in O(n).
  void assign(std::vector<std::int64_t>&& values) {
    tree_ = std::move(values);
    for (std::size_t i = 1; i < tree_.size(); ++i) {
      const std::size_t up = i + (i & (~i + 1));
      if (up < tree_.size()) tree_[up] += tree_[i];
    }
  }

 private:
  std::vector<std::int64_t> tree_;
};

// 8 bytes, so that a map slot is 16: positions stay below 2^32 (the tree is compacted).
struct LastAccess {
  std::uint32_t position;
  std::uint32_t weight;
};

// Renumbers the live marks 1..D keeping their order, in a tree sized for 2D + slack; returns the
// next free position.
std::size_t compact(FenwickTree& marks, FlatU64Map<LastAccess>& last, std::size_t used) {
  std::vector<LastAccess*> at(used + 1, nullptr);
  last.for_each([&](std::uint64_t, LastAccess& a) { at[a.position] = &a; });
  const std::size_t live = last.size();
  if (2 * live >= UINT32_MAX) throw std::length_error("miss-ratio curve: more than 2^31 distinct objects");
  std::vector<std::int64_t> values(std::max<std::size_t>(2 * live, 1 << 16) + 1, 0);
  std::size_t next = 0;
  for (std::size_t p = 1; p <= used; ++p) {
    if (!at[p]) continue;
    at[p]->position = static_cast<std::uint32_t>(++next);
    values[next] = at[p]->weight;
  }
  marks.assign(std::move(values));
  return next;
}

// How many requests ahead the map slot is prefetched (the lookups of a large trace miss the cache).
constexpr std::size_t kPrefetchAhead = 8;

}  // namespace

std::vector<MrcPoint> lru_miss_ratio_curve(TraceReader& trace, const std::vector<std::uint64_t>& capacities,
                                           const MrcOptions& options) {
  if (!(options.sample_rate > 0 && options.sample_rate <= 1))
    throw std::invalid_argument("sample rate must be in (0, 1]");
  // Capacities sorted, so each distance lands in one bucket by binary search: bucket i holds
  // what fits sorted[i] but not sorted[i-1]; the last bucket holds what fits none.
  std::vector<std::uint64_t> sorted = capacities;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  const std::size_t buckets = sorted.size() + 1;
  auto bucket_of = [&](double distance) {
    return static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), distance,
                                                     [](std::uint64_t cap, double d) { return static_cast<double>(cap) < d; }) -
                                    sorted.begin());
  };
  std::vector<double> hits_at(buckets, 0), hit_bytes_at(buckets, 0), weight_at(buckets, 0);
  const KeySample sample(options.sample_rate);

  FenwickTree marks(1 << 16);
  FlatU64Map<LastAccess> last;
  std::size_t position = 0;      // the latest position handed out
  std::int64_t all_marks = 0;    // the sum over every position, kept so that a distance is one query
  std::uint64_t sampled = 0, total = 0, read_bytes = 0;
  std::uint64_t first_ms = UINT64_MAX, last_ms = 0;
  std::vector<Request> batch(4096);
  while (const std::size_t n = trace.read(batch)) {
    for (std::size_t i = 0; i < n; ++i) {
      const Request& r = batch[i];
      if (i + kPrefetchAhead < n) last.prefetch(batch[i + kPrefetchAhead].key);
      ++total;
      first_ms = std::min(first_ms, r.time_ms);
      last_ms = std::max(last_ms, r.time_ms);
      if (!sample.keeps(r.key)) continue;
      ++sampled;
      if (position == marks.size()) position = compact(marks, last, position);
      ++position;
      read_bytes += r.size;
      const std::uint32_t weight = options.bytes ? static_cast<std::uint32_t>(r.size + options.overhead) : 1;
      // Objects too large for a capacity are never cached there: counted by their weight.
      weight_at[bucket_of(static_cast<double>(weight) / options.sample_rate)] += 1;
      auto [a, fresh] = last.try_emplace(r.key, LastAccess{static_cast<std::uint32_t>(position), weight});
      if (!fresh) {
        // Distinct objects since the previous access, plus this one (at its cached size).
        const std::int64_t between = all_marks - marks.prefix(a->position);
        const std::size_t b = bucket_of(static_cast<double>(between + a->weight) / options.sample_rate);
        hits_at[b] += 1;
        hit_bytes_at[b] += r.size;
        marks.add(a->position, -static_cast<std::int64_t>(a->weight));
        all_marks -= a->weight;
        a->position = static_cast<std::uint32_t>(position);  // a hit keeps the cached size, as in the replay
      }
      marks.add(position, a->weight);
      all_marks += a->weight;
    }
  }
  // What is resident at the end: each object whose final distance still fits.
  std::vector<double> resident_at(buckets, 0), resident_weight_at(buckets, 0);
  last.for_each([&](std::uint64_t, const LastAccess& a) {
    const std::int64_t from_end = all_marks - marks.prefix(a.position - 1);
    const std::size_t b = bucket_of(static_cast<double>(from_end) / options.sample_rate);
    resident_at[b] += 1;
    resident_weight_at[b] += a.weight;
  });

  // SHARDS-adj: the sample holds more or fewer requests than rate × total by chance, mostly from
  // a few hot keys; the difference is credited to the shortest distances (as hits), so that the
  // curve is scaled to the expected sample size rather than the one drawn.
  const double expected = options.sample_rate < 1 ? std::round(static_cast<double>(total) * options.sample_rate)
                                                  : static_cast<double>(sampled);
  const double scale = static_cast<double>(total) / std::max(expected, 1.0);
  auto scaled = [&](double v) { return static_cast<std::uint64_t>(std::llround(std::max(v, 0.0) * scale)); };
  std::vector<MrcPoint> out;
  for (std::uint64_t cap : capacities) {
    const auto idx = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), cap) - sorted.begin());
    double hits = expected - static_cast<double>(sampled), hit_bytes = 0, too_large = 0, resident = 0, resident_weight = 0;
    for (std::size_t i = 0; i <= idx; ++i) {
      hits += hits_at[i];
      hit_bytes += hit_bytes_at[i];
      resident += resident_at[i];
      resident_weight += resident_weight_at[i];
    }
    for (std::size_t i = idx + 1; i < buckets; ++i) too_large += weight_at[i];
    hits = std::clamp(hits, 0.0, expected);
    MrcPoint p;
    p.capacity = cap;
    p.requests = total;
    p.misses = scaled(expected - hits);
    p.read_bytes = scaled(static_cast<double>(read_bytes));
    p.hit_bytes = scaled(hit_bytes);
    p.inserted = scaled(expected - hits - too_large);
    p.resident_objects = scaled(resident);
    p.resident_bytes = scaled(resident_weight);
    p.span_ms = first_ms == UINT64_MAX ? 0 : last_ms - first_ms;
    out.push_back(p);
  }
  return out;
}

}  // namespace cachelab::sim
