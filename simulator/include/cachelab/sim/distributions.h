#pragma once
// What a scenario class says about its keys: how popular each is, and how large.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cachelab::sim {

// Key popularity: `uniform`, `zipf(a)`, `hotspot(key_fraction, traffic_fraction)`, `sequential`.
struct Popularity {
  enum class Kind { kUniform, kZipf, kHotspot, kSequential };
  Kind kind = Kind::kUniform;
  double zipf_a = 0;            // zipf: P(rank k) proportional to 1 / k^a
  double key_fraction = 0;      // hotspot: this fraction of the keys...
  double traffic_fraction = 0;  // ...gets this fraction of the requests
};
std::optional<Popularity> parse_popularity(std::string_view text);  // nullopt: bad text

// Object sizes in bytes: `fixed(n)` (or a plain n), `uniform(a,b)`, `lognormal(mu,sigma)`
// (of the natural log of the size). Each key has one size for the whole run.
struct SizeDistribution {
  enum class Kind { kFixed, kUniform, kLognormal };
  Kind kind = Kind::kFixed;
  double a = 1;  // fixed: n; uniform: low; lognormal: mu
  double b = 0;  // uniform: high; lognormal: sigma
};
std::optional<SizeDistribution> parse_size_distribution(std::string_view text);

}  // namespace cachelab::sim
