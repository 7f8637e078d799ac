#include "trace_fields.h"

#include <cctype>
#include <cmath>
#include <string>

#include "cachelab/types.h"

namespace cachelab::sim {

std::optional<RequestOp> parse_op_name(std::string_view name) {
  std::string lower;
  for (char c : trim(name)) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "get" || lower == "gets" || lower == "read" || lower == "r") return RequestOp::kRead;
  if (lower == "set" || lower == "add" || lower == "replace" || lower == "cas" || lower == "append" ||
      lower == "prepend" || lower == "incr" || lower == "decr" || lower == "write" || lower == "update" ||
      lower == "w")
    return RequestOp::kWrite;
  if (lower == "delete" || lower == "del" || lower == "d") return RequestOp::kDelete;
  return std::nullopt;
}

std::uint64_t key_id(std::string_view field) {
  std::uint64_t id;
  if (parse_field_u64(field, &id)) return id;
  std::string scratch;
  return hash_key(key_text(field, scratch));
}

std::string_view key_text(std::string_view field, std::string& scratch) {
  while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) field.remove_prefix(1);
  while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
  if (field.size() < 2 || field.front() != '"' || field.back() != '"') return trim(field);
  field = field.substr(1, field.size() - 2);
  if (field.find("\"\"") == std::string_view::npos) return field;
  scratch.clear();
  for (std::size_t i = 0; i < field.size(); ++i) {
    scratch.push_back(field[i]);
    if (field[i] == '"' && i + 1 < field.size() && field[i + 1] == '"') ++i;
  }
  return scratch;
}

std::uint64_t time_field_ms(const LineReader& lines, std::string_view field, double unit_ms) {
  std::uint64_t whole;
  if (parse_field_u64(field, &whole)) return static_cast<std::uint64_t>(std::llround(static_cast<double>(whole) * unit_ms));
  double t;
  if (!parse_field_double(field, &t) || !(t >= 0) || !std::isfinite(t))
    lines.fail("bad time field '" + std::string(field) + "'");
  return static_cast<std::uint64_t>(std::llround(t * unit_ms));
}

}  // namespace cachelab::sim
