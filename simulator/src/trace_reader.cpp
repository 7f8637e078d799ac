#include "cachelab/sim/trace_reader.h"

namespace cachelab::sim {

std::optional<TraceFormat> parse_trace_format(std::string_view name) {
  if (name == "csv") return TraceFormat::kCsv;
  if (name == "oracleGeneral" || name == "oraclegeneral") return TraceFormat::kOracleGeneral;
  if (name == "lcs") return TraceFormat::kLcs;
  if (name == "vscsi") return TraceFormat::kVscsi;
  if (name == "twitter") return TraceFormat::kTwitter;
  if (name == "cachelib") return TraceFormat::kCachelib;
  return std::nullopt;
}

std::string_view trace_format_name(TraceFormat format) {
  switch (format) {
    case TraceFormat::kCsv: return "csv";
    case TraceFormat::kOracleGeneral: return "oracleGeneral";
    case TraceFormat::kLcs: return "lcs";
    case TraceFormat::kVscsi: return "vscsi";
    case TraceFormat::kTwitter: return "twitter";
    case TraceFormat::kCachelib: return "cachelib";
  }
  return "?";
}

const char* trace_format_list() { return "csv, oracleGeneral, lcs, vscsi, twitter or cachelib"; }

double default_time_unit_ms(TraceFormat format) { return format == TraceFormat::kCachelib ? 1.0 : 1000.0; }

namespace {

// Turns every request of a trace into a read (TraceSpec::all_reads).
class AllReads final : public TraceReader {
 public:
  explicit AllReads(std::unique_ptr<TraceReader> inner) : inner_(std::move(inner)) {}
  std::size_t read(std::span<Request> out) override {
    const std::size_t n = inner_->read(out);
    for (std::size_t i = 0; i < n; ++i) out[i].op = RequestOp::kRead;
    return n;
  }

 private:
  std::unique_ptr<TraceReader> inner_;
};

std::unique_ptr<TraceReader> open_format(const TraceSpec& spec) {
  switch (spec.format) {
    case TraceFormat::kCsv: return open_csv_trace(spec);
    case TraceFormat::kOracleGeneral: return open_oracle_general_trace(spec);
    case TraceFormat::kLcs: return open_lcs_trace(spec);
    case TraceFormat::kVscsi: return open_vscsi_trace(spec);
    case TraceFormat::kTwitter: return open_twitter_trace(spec);
    case TraceFormat::kCachelib: return open_cachelib_trace(spec);
  }
  return nullptr;
}

}  // namespace

std::unique_ptr<TraceReader> open_trace(const TraceSpec& spec) {
  auto reader = open_format(spec);
  if (spec.all_reads) return std::make_unique<AllReads>(std::move(reader));
  return reader;
}

}  // namespace cachelab::sim
