#include "cachelab/sim/fills.h"

#include <algorithm>
#include <cmath>

#include "cachelab/sim/units.h"
#include "text.h"

namespace cachelab::sim {
namespace {

// z such that P(Z <= z) = 0.99 for a standard normal: p99 = median * e^(sigma z).
constexpr double kZ99 = 2.3263478740408408;

// "a, b, c" -> durations in ms; false if any is not a duration.
bool parse_durations(std::string_view list, std::vector<double>* out) {
  while (true) {
    const std::size_t comma = list.find(',');
    const auto ms = parse_duration_ms(strip_spaces(list.substr(0, comma)));
    if (!ms) return false;
    out->push_back(static_cast<double>(*ms));
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace

std::uint64_t FillLatency::draw(Rng& rng) const {
  switch (kind) {
    case Kind::kInstant: return 0;
    case Kind::kFixed: return static_cast<std::uint64_t>(fixed_ms);
    case Kind::kEmpirical: return samples_ms[rng.below(samples_ms.size())];
    case Kind::kLognormal: {
      // Box-Muller from our own uniforms (portable: same draws with every standard library).
      const double u1 = rng.uniform(), u2 = rng.uniform();
      const double z = std::sqrt(-2.0 * std::log1p(-u1)) * std::cos(2.0 * M_PI * u2);
      return static_cast<std::uint64_t>(std::llround(std::min(std::exp(mu + sigma * z), 86'400'000.0)));
    }
  }
  return 0;
}

std::optional<FillLatency> parse_fill_latency(std::string_view text) {
  text = strip_spaces(text);
  FillLatency f;
  const std::size_t open = text.find('(');
  if (open == std::string_view::npos) {  // a plain duration: fixed
    const auto ms = parse_duration_ms(text);
    if (!ms) return std::nullopt;
    f.kind = *ms ? FillLatency::Kind::kFixed : FillLatency::Kind::kInstant;
    f.fixed_ms = static_cast<double>(*ms);
    return f;
  }
  if (text.back() != ')') return std::nullopt;
  const std::string_view name = strip_spaces(text.substr(0, open));
  std::string_view inside = strip_spaces(text.substr(open + 1, text.size() - open - 2));
  std::vector<double> args;
  if (name == "empirical") {
    if (inside.size() < 2 || inside.front() != '[' || inside.back() != ']') return std::nullopt;
    if (!parse_durations(inside.substr(1, inside.size() - 2), &args)) return std::nullopt;
    f.kind = FillLatency::Kind::kEmpirical;
    for (double v : args) f.samples_ms.push_back(static_cast<std::uint64_t>(v));
    return f;
  }
  if (!parse_durations(inside, &args)) return std::nullopt;
  if (name == "fixed" && args.size() == 1) {
    f.kind = args[0] > 0 ? FillLatency::Kind::kFixed : FillLatency::Kind::kInstant;
    f.fixed_ms = args[0];
    return f;
  }
  if (name == "lognormal" && args.size() == 2 && args[0] > 0 && args[1] >= args[0]) {
    f.kind = FillLatency::Kind::kLognormal;
    f.mu = std::log(args[0]);
    f.sigma = std::log(args[1] / args[0]) / kZ99;
    return f;
  }
  return std::nullopt;
}

std::optional<Protection> parse_protection(std::string_view name) {
  if (name == "none") return Protection::kNone;
  if (name == "lease") return Protection::kLease;
  if (name == "serve-stale") return Protection::kServeStale;
  if (name == "early-refresh") return Protection::kEarlyRefresh;
  return std::nullopt;
}

std::string_view protection_name(Protection p) {
  switch (p) {
    case Protection::kNone: return "none";
    case Protection::kLease: return "lease";
    case Protection::kServeStale: return "serve-stale";
    case Protection::kEarlyRefresh: return "early-refresh";
  }
  return "?";
}

}  // namespace cachelab::sim
