#include "cachelab/sim/distributions.h"

#include <charconv>
#include <cmath>
#include <vector>

#include "text.h"

namespace cachelab::sim {
namespace {


// "name(1, 2.5)" -> name and {1, 2.5}; "name" -> name and {}. False if malformed.
bool parse_call(std::string_view text, std::string_view* name, std::vector<double>* args) {
  text = strip_spaces(text);
  const std::size_t open = text.find('(');
  if (open == std::string_view::npos) {
    *name = text;
    return !text.empty();
  }
  if (text.back() != ')') return false;
  *name = strip_spaces(text.substr(0, open));
  std::string_view inside = text.substr(open + 1, text.size() - open - 2);
  while (true) {
    const std::size_t comma = inside.find(',');
    const std::string_view part = strip_spaces(inside.substr(0, comma));
    double v;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size() || !std::isfinite(v)) return false;
    args->push_back(v);
    if (comma == std::string_view::npos) return true;
    inside.remove_prefix(comma + 1);
  }
}

}  // namespace

std::optional<Popularity> parse_popularity(std::string_view text) {
  std::string_view name;
  std::vector<double> args;
  if (!parse_call(text, &name, &args)) return std::nullopt;
  Popularity p;
  if (name == "uniform" && args.empty()) {
    p.kind = Popularity::Kind::kUniform;
  } else if (name == "sequential" && args.empty()) {
    p.kind = Popularity::Kind::kSequential;
  } else if (name == "zipf" && args.size() == 1 && args[0] >= 0 && args[0] <= 10) {
    p.kind = Popularity::Kind::kZipf;
    p.zipf_a = args[0];
  } else if (name == "hotspot" && args.size() == 2 && args[0] > 0 && args[0] < 1 && args[1] >= 0 && args[1] <= 1) {
    p.kind = Popularity::Kind::kHotspot;
    p.key_fraction = args[0];
    p.traffic_fraction = args[1];
  } else {
    return std::nullopt;
  }
  return p;
}

std::optional<SizeDistribution> parse_size_distribution(std::string_view text) {
  std::string_view name;
  std::vector<double> args;
  if (!parse_call(text, &name, &args)) return std::nullopt;
  SizeDistribution d;
  double plain;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), plain);
  if (args.empty() && ec == std::errc() && end == name.data() + name.size()) {
    args.push_back(plain);
    name = "fixed";
  }
  constexpr double kMax = 2147483647.0;  // the engine keeps sizes in 31 bits
  if (name == "fixed" && args.size() == 1 && args[0] >= 1 && args[0] <= kMax && args[0] == std::floor(args[0])) {
    d.kind = SizeDistribution::Kind::kFixed;
    d.a = args[0];
  } else if (name == "uniform" && args.size() == 2 && args[0] >= 1 && args[0] <= args[1] && args[1] <= kMax) {
    d.kind = SizeDistribution::Kind::kUniform;
    d.a = std::floor(args[0]);
    d.b = std::floor(args[1]);
  } else if (name == "lognormal" && args.size() == 2 && args[1] >= 0 && args[0] < 21) {
    d.kind = SizeDistribution::Kind::kLognormal;
    d.a = args[0];
    d.b = args[1];
  } else {
    return std::nullopt;
  }
  return d;
}

}  // namespace cachelab::sim
