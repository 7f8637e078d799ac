// csv traces: one request per line, the fields SPEC section 4 names picked by column number.
#include <algorithm>
#include <cmath>
#include <string>

#include "cachelab/sim/errors.h"
#include "cachelab/sim/trace_reader.h"
#include "line_reader.h"
#include "trace_fields.h"

namespace cachelab::sim {
namespace {

class CsvTraceReader final : public TextTraceReader {
 public:
  explicit CsvTraceReader(const TraceSpec& spec) : TextTraceReader(spec.path), spec_(spec) {
    const CsvColumns& c = spec.columns;
    if (c.key <= 0) throw InputError(spec.path + ": csv trace needs a key column");
    max_column_ = std::max({c.time, c.key, c.size, c.op, c.ttl});
    if (max_column_ > kMaxColumns) throw InputError(spec.path + ": column numbers above " + std::to_string(kMaxColumns) + " are not supported");
    if (spec.header) {
      std::string_view skipped;
      lines_.next(&skipped);
    }
  }

 private:
  static constexpr int kMaxColumns = 64;

  void parse(std::string_view line, Request& r) override {
    std::string_view fields[kMaxColumns + 1];
    const std::size_t count = split_fields(line, spec_.delimiter, fields, static_cast<std::size_t>(max_column_) + 1);
    if (count < static_cast<std::size_t>(max_column_))
      lines_.fail("expected at least " + std::to_string(max_column_) + " fields, found " + std::to_string(count));
    const CsvColumns& c = spec_.columns;
    auto field = [&](int column) { return fields[column - 1]; };

    r.time_ms = c.time ? time_field_ms(lines_, field(c.time), spec_.time_unit_ms) : 0;
    r.key = key_id(field(c.key));
    if (spec_.key_points) {
      r.has_key_point = true;
      r.key_point = ketama_key_point(*spec_.key_points, key_text(field(c.key), key_scratch_));
    }
    r.size = spec_.default_size;
    if (c.size) {
      std::uint64_t size;
      if (!parse_field_u64(field(c.size), &size) || size > UINT32_MAX)
        lines_.fail("bad size field '" + std::string(field(c.size)) + "'");
      r.size = static_cast<std::uint32_t>(size);
    }
    r.op = RequestOp::kRead;
    if (c.op) {
      auto op = parse_op_name(field(c.op));
      if (!op) lines_.fail("unknown operation '" + std::string(field(c.op)) + "'");
      r.op = *op;
    }
    r.ttl_ms = kTtlUnset;
    if (c.ttl) {
      std::int64_t ttl;
      if (!parse_field_i64(field(c.ttl), &ttl) || ttl < 0) lines_.fail("bad ttl field '" + std::string(field(c.ttl)) + "'");
      r.ttl_ms = static_cast<std::int64_t>(std::llround(static_cast<double>(ttl) * spec_.ttl_unit_ms));
    }
  }

  TraceSpec spec_;
  std::string key_scratch_;
  int max_column_ = 0;
};

}  // namespace

std::unique_ptr<TraceReader> open_csv_trace(const TraceSpec& spec) { return std::make_unique<CsvTraceReader>(spec); }

}  // namespace cachelab::sim
