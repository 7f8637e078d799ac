#include "cachelab/sim/mrc.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

#include "cachelab/sim/key_sample.h"

namespace cachelab::sim {
namespace {

// Sums of weights over positions 1..n; positions are request numbers, weights are the sizes (or
// 1) of each object at its most recent access, so the sum over (p, t) is the stack distance.
class FenwickTree {
 public:
  void add(std::size_t pos, std::int64_t delta) {
    ensure(pos);
    for (; pos < tree_.size(); pos += pos & (~pos + 1)) tree_[pos] += delta;
  }
  std::int64_t prefix(std::size_t pos) const {
    pos = std::min(pos, tree_.size() - 1);
    std::int64_t sum = 0;
    for (; pos > 0; pos -= pos & (~pos + 1)) sum += tree_[pos];
    return sum;
  }

 private:
  // Grows by doubling; a Fenwick tree cannot simply be extended, so it is rebuilt from the point
  // values (amortised O(1) per request).
  void ensure(std::size_t pos) {
    if (pos < tree_.size()) return;
    std::size_t n = std::max<std::size_t>(tree_.size(), 1024);
    while (n <= pos) n *= 2;
    std::vector<std::int64_t> values(tree_.size(), 0);
    for (std::size_t i = 1; i < tree_.size(); ++i) values[i] = prefix(i) - prefix(i - 1);
    tree_.assign(n, 0);
    for (std::size_t i = 1; i < values.size(); ++i)
      for (std::size_t p = i; p < n && values[i]; p += p & (~p + 1)) tree_[p] += values[i];
  }
  std::vector<std::int64_t> tree_ = std::vector<std::int64_t>(1, 0);
};

struct LastAccess {
  std::size_t position;
  std::uint32_t weight;
};

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

  FenwickTree marks;
  std::unordered_map<std::uint64_t, LastAccess> last;
  std::size_t position = 0;
  std::uint64_t sampled = 0, total = 0, read_bytes = 0;
  std::uint64_t first_ms = UINT64_MAX, last_ms = 0;
  std::vector<Request> batch(4096);
  while (const std::size_t n = trace.read(batch)) {
    for (std::size_t i = 0; i < n; ++i) {
      const Request& r = batch[i];
      ++total;
      first_ms = std::min(first_ms, r.time_ms);
      last_ms = std::max(last_ms, r.time_ms);
      if (!sample.keeps(r.key)) continue;
      ++sampled;
      ++position;
      read_bytes += r.size;
      const std::uint32_t weight = options.bytes ? static_cast<std::uint32_t>(r.size + options.overhead) : 1;
      // Objects too large for a capacity are never cached there: counted by their weight.
      weight_at[bucket_of(static_cast<double>(weight) / options.sample_rate)] += 1;
      auto [it, fresh] = last.try_emplace(r.key, LastAccess{position, weight});
      if (!fresh) {
        // Distinct objects since the previous access, plus this one (at its cached size).
        const std::int64_t between = marks.prefix(position - 1) - marks.prefix(it->second.position);
        const std::size_t b = bucket_of(static_cast<double>(between + it->second.weight) / options.sample_rate);
        hits_at[b] += 1;
        hit_bytes_at[b] += r.size;
        marks.add(it->second.position, -static_cast<std::int64_t>(it->second.weight));
        it->second.position = position;  // a hit keeps the cached size, as in the replay
      }
      marks.add(position, it->second.weight);
    }
  }
  // What is resident at the end: each object whose final distance still fits.
  std::vector<double> resident_at(buckets, 0), resident_weight_at(buckets, 0);
  const std::int64_t all = marks.prefix(position);
  for (const auto& [key, a] : last) {
    const std::int64_t from_end = all - marks.prefix(a.position - 1);
    const std::size_t b = bucket_of(static_cast<double>(from_end) / options.sample_rate);
    resident_at[b] += 1;
    resident_weight_at[b] += a.weight;
  }

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
