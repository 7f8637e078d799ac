#pragma once
// Reading a policy's numeric arguments (`--policy-arg K=V`, `args:` in a scenario).
#include <stdexcept>
#include <string>

#include "cachelab/store.h"

namespace cachelab {

// The argument as a number in [lo, hi], or `fallback` when absent; a clear error otherwise.
inline double policy_arg(std::string_view policy, const PolicyArgs& args, const std::string& name,
                         double fallback, double lo, double hi) {
  auto pos = args.find(name);
  if (pos == args.end()) return fallback;
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(pos->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != pos->second.size() || !(v >= lo && v <= hi))
    throw std::invalid_argument("policy " + std::string(policy) + ": " + name + "=" + pos->second +
                                " is not a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v;
}

}  // namespace cachelab
