#include "cachelab/sim/key_sampler.h"

#include <algorithm>
#include <cmath>

namespace cachelab::sim {
namespace {

class UniformSampler final : public KeySampler {
 public:
  explicit UniformSampler(std::uint64_t n) : n_(n) {}
  std::uint64_t sample(Rng& rng) override { return rng.below(n_); }

 private:
  std::uint64_t n_;
};

// Cycles through the keys in order (a scan).
class SequentialSampler final : public KeySampler {
 public:
  explicit SequentialSampler(std::uint64_t n) : n_(n) {}
  std::uint64_t sample(Rng&) override {
    const std::uint64_t k = next_;
    next_ = next_ + 1 == n_ ? 0 : next_ + 1;
    return k;
  }

 private:
  std::uint64_t n_;
  std::uint64_t next_ = 0;
};

// key_fraction of the keys (the first ranks) receive traffic_fraction of the draws, uniformly;
// the rest share the remainder uniformly.
class HotspotSampler final : public KeySampler {
 public:
  HotspotSampler(std::uint64_t n, double key_fraction, double traffic_fraction)
      : n_(n),
        hot_(std::clamp<std::uint64_t>(static_cast<std::uint64_t>(std::llround(key_fraction * double(n))), 1, n)),
        traffic_(traffic_fraction) {}
  std::uint64_t sample(Rng& rng) override {
    if (hot_ == n_ || rng.uniform() < traffic_) return rng.below(hot_);
    return hot_ + rng.below(n_ - hot_);
  }

 private:
  std::uint64_t n_;
  std::uint64_t hot_;
  double traffic_;
};

// Rejection-inversion sampling of P(k) proportional to k^-a over k = 1..n. The continuous
// hat function h(x) = x^-a is integrated (H) and inverted in closed form; a draw is accepted
// unless it falls in the small gap between the hat and the step function, so the expected
// number of iterations is close to 1 for every a and n.
class ZipfSampler final : public KeySampler {
 public:
  ZipfSampler(std::uint64_t n, double a) : n_(n), a_(a) {
    h_integral_x1_ = h_integral(1.5) - 1.0;
    h_integral_n_ = h_integral(double(n) + 0.5);
    s_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
  }

  std::uint64_t sample(Rng& rng) override {
    for (;;) {
      const double u = h_integral_n_ + rng.uniform() * (h_integral_x1_ - h_integral_n_);
      const double x = h_integral_inverse(u);
      double k = std::floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > double(n_)) k = double(n_);
      if (k - x <= s_ || u >= h_integral(k + 0.5) - h(k)) return static_cast<std::uint64_t>(k) - 1;
    }
  }

 private:
  double h(double x) const { return std::exp(-a_ * std::log(x)); }
  // H(x) = (x^(1-a) - 1) / (1-a), continuous in a (log x at a = 1).
  double h_integral(double x) const {
    const double log_x = std::log(x);
    return expm1_over_x((1.0 - a_) * log_x) * log_x;
  }
  double h_integral_inverse(double x) const {
    double t = x * (1.0 - a_);
    if (t < -1.0) t = -1.0;  // rounding guard: the true value is never below -1
    return std::exp(log1p_over_x(t) * x);
  }
  // log(1+x)/x and (e^x-1)/x, with their series near 0 where the quotients lose precision.
  static double log1p_over_x(double x) {
    return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
  }
  static double expm1_over_x(double x) {
    return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
  }

  std::uint64_t n_;
  double a_;
  double h_integral_x1_;
  double h_integral_n_;
  double s_;
};

}  // namespace

std::unique_ptr<KeySampler> make_key_sampler(const Popularity& p, std::uint64_t n) {
  switch (p.kind) {
    case Popularity::Kind::kUniform: return std::make_unique<UniformSampler>(n);
    case Popularity::Kind::kSequential: return std::make_unique<SequentialSampler>(n);
    case Popularity::Kind::kHotspot: return std::make_unique<HotspotSampler>(n, p.key_fraction, p.traffic_fraction);
    case Popularity::Kind::kZipf:
      if (p.zipf_a == 0) return std::make_unique<UniformSampler>(n);
      return std::make_unique<ZipfSampler>(n, p.zipf_a);
  }
  return nullptr;
}

}  // namespace cachelab::sim
