#include "cachelab/sim/trace_reader.h"

namespace cachelab::sim {

std::optional<TraceFormat> parse_trace_format(std::string_view name) {
  if (name == "csv") return TraceFormat::kCsv;
  if (name == "oracleGeneral" || name == "oraclegeneral") return TraceFormat::kOracleGeneral;
  if (name == "twitter") return TraceFormat::kTwitter;
  return std::nullopt;
}

std::string_view trace_format_name(TraceFormat format) {
  switch (format) {
    case TraceFormat::kCsv: return "csv";
    case TraceFormat::kOracleGeneral: return "oracleGeneral";
    case TraceFormat::kTwitter: return "twitter";
  }
  return "?";
}

std::unique_ptr<TraceReader> open_trace(const TraceSpec& spec) {
  switch (spec.format) {
    case TraceFormat::kCsv: return open_csv_trace(spec);
    case TraceFormat::kOracleGeneral: return open_oracle_general_trace(spec);
    case TraceFormat::kTwitter: return open_twitter_trace(spec);
  }
  return nullptr;
}

}  // namespace cachelab::sim
