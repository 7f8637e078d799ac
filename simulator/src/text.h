#pragma once
// Small text helpers shared by the simulator's parsers.
#include <string_view>

namespace cachelab::sim {

inline std::string_view strip_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace cachelab::sim
