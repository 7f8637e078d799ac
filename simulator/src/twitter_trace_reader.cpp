// Twitter cache traces (github.com/twitter/cache-trace): one csv line per request,
//   timestamp,anonymized key,key size,value size,client id,operation,TTL
// with timestamps and TTLs in seconds (TTL 0 = no expiry). The object's size is key + value bytes,
// as memcached charges both.
#include <cmath>
#include <string>

#include "cachelab/sim/trace_reader.h"
#include "line_reader.h"
#include "trace_fields.h"

namespace cachelab::sim {
namespace {

class TwitterTraceReader final : public TextTraceReader {
 public:
  explicit TwitterTraceReader(const TraceSpec& spec) : TextTraceReader(spec.path), spec_(spec) {}

 private:
  void parse(std::string_view line, Request& r) override {
    std::string_view f[7];
    if (split_fields(line, ',', f, 7) != 7) lines_.fail("expected 7 fields: timestamp,key,key_size,value_size,client_id,op,ttl");
    r.time_ms = time_field_ms(lines_, f[0], spec_.time_unit_ms);
    r.key = key_id(f[1]);
    if (spec_.key_points) {
      r.has_key_point = true;
      r.key_point = ketama_key_point(*spec_.key_points, key_text(f[1], key_scratch_));
    }
    std::uint64_t key_size, value_size;
    if (!parse_field_u64(f[2], &key_size)) lines_.fail("bad key size '" + std::string(f[2]) + "'");
    if (!parse_field_u64(f[3], &value_size)) lines_.fail("bad value size '" + std::string(f[3]) + "'");
    if (key_size + value_size > UINT32_MAX) lines_.fail("object size too large");
    r.size = static_cast<std::uint32_t>(key_size + value_size);
    auto op = parse_op_name(f[5]);
    if (!op) lines_.fail("unknown operation '" + std::string(f[5]) + "'");
    r.op = *op;
    std::int64_t ttl;
    if (!parse_field_i64(f[6], &ttl) || ttl < 0) lines_.fail("bad ttl '" + std::string(f[6]) + "'");
    r.ttl_ms = static_cast<std::int64_t>(std::llround(static_cast<double>(ttl) * spec_.ttl_unit_ms));
  }

  TraceSpec spec_;
  std::string key_scratch_;
};

}  // namespace

std::unique_ptr<TraceReader> open_twitter_trace(const TraceSpec& spec) { return std::make_unique<TwitterTraceReader>(spec); }

}  // namespace cachelab::sim
