#include "cachelab/sim/workload.h"

#include <algorithm>
#include <cmath>

namespace cachelab::sim {

SyntheticWorkload::SyntheticWorkload(const Scenario& s)
    : seed_(s.seed), duration_ms_(s.duration_ms), classes_(s.classes), offsets_(s.classes.size(), 0), rng_(s.seed) {
  for (std::size_t i = 0; i < classes_.size(); ++i) {
    const WorkloadClass& c = classes_[i];
    if (c.reads_per_s > 0) streams_.push_back({i, false, c.reads_per_s, make_key_sampler(c.popularity, c.keys)});
    if (c.writes_per_s > 0)
      streams_.push_back({i, true, c.writes_per_s, make_key_sampler(c.write_popularity.value_or(c.popularity), c.keys)});
  }
  for (const Stream& st : streams_) total_rate_ += st.rate;
  done_ = total_rate_ <= 0;
  for (const ShiftEvent& e : s.shifts) {
    for (std::size_t i = 0; i < classes_.size(); ++i)
      if (e.class_name.empty() || e.class_name == classes_[i].name) shifts_.push_back({e.at_ms, i, e.fraction});
  }
  std::stable_sort(shifts_.begin(), shifts_.end(), [](const auto& x, const auto& y) { return x.at_ms < y.at_ms; });
}

void SyntheticWorkload::apply_shifts(std::uint64_t now_ms) {
  while (next_shift_ < shifts_.size() && shifts_[next_shift_].at_ms <= now_ms) {
    const PendingShift& sh = shifts_[next_shift_++];
    const std::uint64_t n = classes_[sh.class_index].keys;
    const auto by = static_cast<std::uint64_t>(std::llround(sh.fraction * double(n))) % n;
    offsets_[sh.class_index] = (offsets_[sh.class_index] + by) % n;
  }
}

std::size_t SyntheticWorkload::read(std::span<Request> out) {
  std::size_t n = 0;
  while (n < out.size() && !done_) {
    now_s_ += rng_.exponential(total_rate_);
    const double t_ms = now_s_ * 1000.0;
    if (duration_ms_ && t_ms >= double(duration_ms_)) {
      done_ = true;
      break;
    }
    // Far beyond any clock (absurdly low rates): the replay refuses spans over 49.7 days anyway.
    const std::uint64_t now_ms = t_ms < 1e18 ? static_cast<std::uint64_t>(t_ms) : std::uint64_t{1} << 60;
    apply_shifts(now_ms);
    // Pick the stream: linear over a handful of classes.
    double pick = rng_.uniform() * total_rate_;
    std::size_t si = 0;
    while (si + 1 < streams_.size() && pick >= streams_[si].rate) pick -= streams_[si++].rate;
    Stream& st = streams_[si];
    const WorkloadClass& c = classes_[st.class_index];
    std::uint64_t k = st.sampler->sample(rng_) + offsets_[st.class_index];
    if (k >= c.keys) k -= c.keys;
    Request& r = out[n++];
    r.time_ms = now_ms;
    r.key = (static_cast<std::uint64_t>(st.class_index + 1) << kClassShift) | k;
    r.size = key_size(seed_, st.class_index, c.size, k);
    r.op = st.write ? RequestOp::kWrite : RequestOp::kRead;
    r.ttl_ms = c.ttl_ms;
    r.source = static_cast<std::uint16_t>(st.class_index);
    r.next_access = UINT64_MAX;
  }
  return n;
}

std::uint32_t SyntheticWorkload::key_size(std::uint64_t seed, std::size_t class_index, const SizeDistribution& d,
                                          std::uint64_t key) {
  if (d.kind == SizeDistribution::Kind::kFixed) return static_cast<std::uint32_t>(d.a);
  std::uint64_t state = seed ^ (static_cast<std::uint64_t>(class_index + 1) << kClassShift) ^ (key * 0x9e3779b97f4a7c15ULL);
  const double u1 = static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53;
  double value;
  if (d.kind == SizeDistribution::Kind::kUniform) {
    value = d.a + std::floor(u1 * (d.b - d.a + 1));
  } else {
    // Box-Muller: one standard normal from two uniforms.
    const double u2 = static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53;
    const double z = std::sqrt(-2.0 * std::log1p(-u1)) * std::cos(2.0 * M_PI * u2);
    value = std::round(std::exp(d.a + d.b * z));
  }
  return static_cast<std::uint32_t>(std::clamp(value, 1.0, 2147483647.0));
}

}  // namespace cachelab::sim
