#pragma once
// `cachelab trace info` (what a trace holds) and `cachelab trace convert` (between formats).
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "cachelab/sim/request.h"
#include "cachelab/sim/trace_reader.h"

namespace cachelab::sim {

struct TraceInfo {
  std::uint64_t requests = 0;
  std::uint64_t reads = 0;
  std::uint64_t writes = 0;
  std::uint64_t deletes = 0;
  std::uint64_t unique_keys = 0;
  std::uint64_t one_hit_wonders = 0;    // keys requested exactly once
  std::uint64_t working_set_bytes = 0;  // each key counted once, at its first-seen size
  std::uint64_t request_bytes = 0;      // sum of all request sizes
  std::uint64_t first_time_ms = 0;
  std::uint64_t last_time_ms = 0;
  std::uint64_t no_ttl = 0;                     // requests with no ttl given (or 0)
  std::map<std::int64_t, std::uint64_t> ttl_ms;  // requests per ttl, where one is given
  std::map<std::uint32_t, std::uint64_t> tenants;  // requests per tenant (lcs v2+; else all tenant 0)
};

// Reads the whole trace. Memory grows with the number of distinct keys (one counter each).
TraceInfo summarize_trace(TraceReader& reader);
void print_trace_info(std::ostream& out, const std::string& path, const TraceInfo& info);

class TraceWriter {
 public:
  virtual ~TraceWriter() = default;
  virtual void write(const Request& r) = 0;
  // Flushes and closes; throws on a write error.
  virtual void finish() = 0;
};

// csv: header `time,key,size,op,ttl` (time and ttl in seconds), read back with columns
//   time=1,key=2,size=3,op=4,ttl=5 and header: true.
// twitter: timestamp,key,key_size(0),value_size(size),client_id(0),op(get/set/delete),ttl.
// cachelib: header `op_time,key,key_size,op,op_count,size,ttl` (op_time in ms, key_size 0, the
//   whole object size as size, op GET/SET/DELETE, op_count 1).
// vscsi: version 1 records (READ(10)/WRITE(10), time in us; deletes become writes, TTLs are lost).
// oracleGeneral and lcs (v1, v2 or v3: the smallest that carries the trace's ops, tenants and
//   TTLs, with the header's statistics): the next-access field needs the future, so these writers
//   hold the whole trace in memory (32 bytes per request) until finish().
// An OUT path ending in .zst is written zstd-compressed.
std::unique_ptr<TraceWriter> open_trace_writer(const std::string& path, TraceFormat format);

// Copies every request of `reader` to `writer`; returns the number copied.
std::uint64_t convert_trace(TraceReader& reader, TraceWriter& writer);

}  // namespace cachelab::sim
