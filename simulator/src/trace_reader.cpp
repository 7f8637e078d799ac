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
    case TraceFormat::kTwitter: return open_twitter_trace(spec);
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
