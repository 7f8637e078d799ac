#pragma once
// Trace readers: stream a trace file as Requests, in constant memory (buffered reads), in batches.
// Formats (SPEC sections 4 and 7): csv (numbered columns), oracleGeneral (libCacheSim's 24-byte
// binary records), lcs (libCacheSim's versioned binary format, v1..v8), vscsi (VMware's block
// trace, as libCacheSim reads it), twitter (the Twitter cache-trace csv) and cachelib (CacheLib's
// kvcache replay csv). Any of them may be zstd- or gzip-compressed: told by the file's first
// bytes, decoded on a thread of its own (byte_source.h). A malformed or truncated record throws an
// InputError naming the file and the byte offset.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "cachelab/sim/ketama.h"
#include "cachelab/sim/request.h"

namespace cachelab::sim {

enum class TraceFormat { kCsv, kOracleGeneral, kLcs, kVscsi, kTwitter, kCachelib };

std::optional<TraceFormat> parse_trace_format(std::string_view name);
std::string_view trace_format_name(TraceFormat format);
// "csv, oracleGeneral, lcs, vscsi, twitter or cachelib", for messages and help.
const char* trace_format_list();
// The unit of a format's time field in ms when the user names none: seconds, except cachelib's
// op_time (ms, as CacheLib's replay divides it by its default timestampFactor of 1000).
double default_time_unit_ms(TraceFormat format);

// Column numbers start at 1; 0 means "absent".
struct CsvColumns {
  int time = 0;
  int key = 0;
  int size = 0;
  int op = 0;
  int ttl = 0;
  bool operator==(const CsvColumns&) const = default;
};

struct TraceSpec {
  std::string path;
  TraceFormat format = TraceFormat::kCsv;
  CsvColumns columns{.time = 1, .key = 2, .size = 3};  // csv only
  bool header = false;                                  // csv only: skip the first line
  char delimiter = ',';                                 // csv only
  double time_unit_ms = 1000.0;  // the trace's time unit in ms (default_time_unit_ms; vscsi's us are fixed)
  double ttl_unit_ms = 1000.0;   // the ttl column's unit in ms (seconds)
  std::uint32_t default_size = 1;  // when a csv has no size column
  // Every request is a read whatever its op says (a cache trace replayed as a plain key stream,
  // as libCacheSim does, instead of counting its sets as origin writes).
  bool all_reads = false;
  // `replay: commands`: each row is a cache command as a server saw it (a capture by
  // `serve --trace-out`): a get only looks up (its miss stores nothing: the client's own set
  // that follows does), a set stores, a delete removes. The origin model does not apply (the
  // capture cannot see the database), so there are no stale hits. Default: demand-fill.
  bool commands = false;
  // The file holds only a sample of the keys, at this rate (a capture with --trace-sample): the
  // replay scales the cache by it and the counts by its inverse.
  double sampled = 1.0;
  // Set when the replay spreads keys over a cluster: text keys (csv, twitter) then carry their
  // ketama point, computed from the text as a client would.
  std::optional<KetamaVariant> key_points;
  // Two specs that compare equal read the same requests: a sweep decodes them once for both.
  bool operator==(const TraceSpec&) const = default;
};

class TraceReader {
 public:
  virtual ~TraceReader() = default;
  // Fills up to out.size() requests in trace order; returns how many, 0 at the end.
  virtual std::size_t read(std::span<Request> out) = 0;
};

// Opens the trace; throws InputError if it cannot be read.
std::unique_ptr<TraceReader> open_trace(const TraceSpec& spec);

// Per-format constructors (open_trace picks one).
std::unique_ptr<TraceReader> open_csv_trace(const TraceSpec& spec);
std::unique_ptr<TraceReader> open_oracle_general_trace(const TraceSpec& spec);
std::unique_ptr<TraceReader> open_lcs_trace(const TraceSpec& spec);
std::unique_ptr<TraceReader> open_vscsi_trace(const TraceSpec& spec);
std::unique_ptr<TraceReader> open_twitter_trace(const TraceSpec& spec);
std::unique_ptr<TraceReader> open_cachelib_trace(const TraceSpec& spec);

}  // namespace cachelab::sim
