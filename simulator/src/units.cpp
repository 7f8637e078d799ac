#include "cachelab/sim/units.h"

#include <charconv>
#include <cmath>

#include "text.h"

namespace cachelab::sim {
namespace {


// Splits "12.5MiB" into 12.5 and "MiB". False if there is no leading non-negative number.
bool split_number(std::string_view text, double* number, std::string_view* unit) {
  text = strip_spaces(text);
  if (text.empty() || text.front() == '-' || text.front() == '+') return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *number);
  if (ec != std::errc() || !std::isfinite(*number)) return false;
  *unit = strip_spaces(text.substr(static_cast<std::size_t>(end - text.data())));
  return true;
}

}  // namespace

std::optional<Capacity> parse_capacity(std::string_view text) {
  double number;
  std::string_view unit;
  if (!split_number(text, &number, &unit)) return std::nullopt;
  double scale = 0;
  Capacity c;
  if (unit.empty() || unit == "B") scale = 1;
  else if (unit == "KiB") scale = 1024.0;
  else if (unit == "MiB") scale = 1024.0 * 1024;
  else if (unit == "GiB") scale = 1024.0 * 1024 * 1024;
  else if (unit == "TiB") scale = 1024.0 * 1024 * 1024 * 1024;
  else if (unit == "KB") scale = 1e3;
  else if (unit == "MB") scale = 1e6;
  else if (unit == "GB") scale = 1e9;
  else if (unit == "TB") scale = 1e12;
  else if (unit == "objects" || unit == "object") {
    scale = 1;
    c.count_objects = true;
  } else {
    return std::nullopt;
  }
  const double amount = number * scale;
  // Bytes and objects are whole: "1.5 objects" or "0.5B" are mistakes, not something to round.
  if (amount < 1 || amount > 9.2e18 || amount != std::floor(amount)) return std::nullopt;
  c.amount = static_cast<std::uint64_t>(amount);
  return c;
}

std::optional<std::uint64_t> parse_duration_ms(std::string_view text) {
  double number;
  std::string_view unit;
  if (!split_number(text, &number, &unit)) return std::nullopt;
  double scale;
  if (unit.empty() || unit == "s") scale = 1000;
  else if (unit == "ms") scale = 1;
  else if (unit == "m" || unit == "min") scale = 60e3;
  else if (unit == "h") scale = 3600e3;
  else if (unit == "d") scale = 86400e3;
  else return std::nullopt;
  const double ms = number * scale;
  if (ms > 9.2e18) return std::nullopt;
  return static_cast<std::uint64_t>(std::llround(ms));
}

std::string format_capacity(const Capacity& c) {
  if (c.count_objects) return std::to_string(c.amount) + " objects";
  static constexpr const char* kUnits[] = {"GiB", "MiB", "KiB"};
  static constexpr std::uint64_t kScales[] = {1ull << 30, 1ull << 20, 1ull << 10};
  for (int i = 0; i < 3; ++i)
    if (c.amount >= kScales[i] && c.amount % kScales[i] == 0) return std::to_string(c.amount / kScales[i]) + kUnits[i];
  return std::to_string(c.amount) + "B";
}

}  // namespace cachelab::sim
