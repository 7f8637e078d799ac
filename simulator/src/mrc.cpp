#include "cachelab/sim/mrc.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

#include "cachelab/types.h"

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
  // Capacities sorted, so each request's distance lands in one bucket by binary search.
  std::vector<std::uint64_t> sorted = capacities;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  // hits_at[i]: requests whose scaled distance fits sorted[i] but not sorted[i-1].
  std::vector<std::uint64_t> hits_at(sorted.size(), 0);
  const std::uint64_t threshold = options.sample_rate >= 1
                                      ? UINT64_MAX
                                      : static_cast<std::uint64_t>(std::ldexp(options.sample_rate, 64));

  FenwickTree marks;
  std::unordered_map<std::uint64_t, LastAccess> last;
  std::size_t position = 0;
  std::uint64_t sampled = 0;
  std::uint64_t total = 0;
  std::vector<Request> batch(4096);
  while (const std::size_t n = trace.read(batch)) {
    for (std::size_t i = 0; i < n; ++i) {
      const Request& r = batch[i];
      ++total;
      if (options.sample_rate < 1 && hash_id(r.key) >= threshold) continue;
      ++sampled;
      ++position;
      const std::uint32_t weight = options.bytes ? r.size : 1;
      auto [it, fresh] = last.try_emplace(r.key, LastAccess{position, weight});
      if (!fresh) {
        // Distinct objects since the previous access, plus this one (at its cached size).
        const std::int64_t between = marks.prefix(position - 1) - marks.prefix(it->second.position);
        const double distance =
            static_cast<double>(between + it->second.weight) / options.sample_rate;
        auto bucket = std::lower_bound(sorted.begin(), sorted.end(), distance,
                                       [](std::uint64_t cap, double d) { return static_cast<double>(cap) < d; });
        if (bucket != sorted.end()) ++hits_at[static_cast<std::size_t>(bucket - sorted.begin())];
        marks.add(it->second.position, -static_cast<std::int64_t>(it->second.weight));
        it->second.position = position;  // a hit keeps the cached size, as in the replay
      }
      marks.add(position, it->second.weight);
    }
  }
  // SHARDS-adj: the sample holds more or fewer requests than rate × total by chance, mostly from
  // a few hot keys; the difference is credited to the shortest distances (as hits), so that the
  // curve is scaled to the expected sample size rather than the one drawn.
  const double expected = options.sample_rate < 1 ? std::round(static_cast<double>(total) * options.sample_rate)
                                                  : static_cast<double>(sampled);
  const double adjustment = expected - static_cast<double>(sampled);
  std::vector<MrcPoint> out;
  for (std::uint64_t cap : capacities) {
    const auto idx = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), cap) - sorted.begin());
    double hits = adjustment;
    for (std::size_t i = 0; i <= idx; ++i) hits += static_cast<double>(hits_at[i]);
    hits = std::clamp(hits, 0.0, expected);
    // Reported per full trace: sampled counts scaled back by 1/rate.
    const double scale = static_cast<double>(total) / std::max(expected, 1.0);
    out.push_back({cap, total, static_cast<std::uint64_t>(std::llround((expected - hits) * scale))});
  }
  return out;
}

}  // namespace cachelab::sim
