// cachelab trace info|analyze|convert: what a trace holds, its statistics and plots, and
// conversion between trace formats.
// Glue only: the readers and writers are in simulator/.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cachelab/sim/errors.h"
#include "cachelab/sim/trace_analysis.h"
#include "cachelab/sim/trace_reader.h"
#include "cachelab/sim/trace_tools.h"
#include "command.h"
#include "help_option.h"
#include "options.h"

namespace cachelab::cli {
namespace {

constexpr const char* kFormatHelp =
    "csv, oracleGeneral, lcs, vscsi, twitter or cachelib; a .zst or .gz file of any of them is read as "
    "it is (told by its first bytes)";

// "time=2,key=5,size=4" -> CsvColumns. False if malformed.
bool parse_columns(const std::string& text, sim::CsvColumns* out) {
  *out = sim::CsvColumns{};
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string part = text.substr(start, comma - start);
    const std::size_t eq = part.find('=');
    if (eq == std::string::npos) return false;
    const std::string name = part.substr(0, eq);
    int column = 0;
    try {
      column = std::stoi(part.substr(eq + 1));
    } catch (const std::exception&) {
      return false;
    }
    if (column < 1 || column > 64) return false;
    if (name == "time") out->time = column;
    else if (name == "key") out->key = column;
    else if (name == "size") out->size = column;
    else if (name == "op") out->op = column;
    else if (name == "ttl") out->ttl = column;
    else return false;
    start = comma + 1;
  }
  return out->key > 0;
}

// Options shared by info and convert to describe an input trace.
struct InputOptions {
  std::string columns;
  bool header = false;
  void add_to(po::options_description& d) {
    d.add_options()
        ("columns", po::value(&columns), "csv columns from 1, e.g. time=2,key=5,size=4[,op=N,ttl=N] (default time=1,key=2,size=3)")
        ("header", po::bool_switch(&header), "csv: skip the first line");
  }
  // Fills spec; returns false (after one line on stderr) on bad usage.
  bool apply(const char* command, const std::string& path, const std::string& format, sim::TraceSpec* spec) const {
    spec->path = path;
    auto f = sim::parse_trace_format(format);
    if (!f) {
      std::fprintf(stderr, "cachelab trace %s: unknown format '%s' (%s)\n", command, format.c_str(), sim::trace_format_list());
      return false;
    }
    spec->format = *f;
    spec->time_unit_ms = sim::default_time_unit_ms(*f);
    spec->header = header;
    if (!columns.empty() && !parse_columns(columns, &spec->columns)) {
      std::fprintf(stderr, "cachelab trace %s: --columns: expected NAME=N,... with names time, key, size, op, ttl\n", command);
      return false;
    }
    return true;
  }
};

int run_info(int argc, char** argv) {
  po::options_description visible("options");
  std::string file, format;
  InputOptions input;
  visible.add_options()("format,f", po::value(&format)->required(), kFormatHelp);
  input.add_to(visible);
  po::variables_map vm;
  const char* usage = "cachelab trace info FILE --format F [--columns ...] [--header]";
  if (auto code = parse_command(argc, argv, usage, visible, {{"FILE", &file}}, vm)) return *code;
  sim::TraceSpec spec;
  if (!input.apply("info", file, format, &spec)) return kExitUsage;
  auto reader = sim::open_trace(spec);
  sim::print_trace_info(std::cout, file, sim::summarize_trace(*reader));
  return kExitOk;
}

// The format a file name suggests (after any .zst or .gz): used when --format is not given.
std::string format_from_name(std::string name) {
  for (const char* ext : {".zst", ".gz"})
    if (name.size() > std::strlen(ext) && name.ends_with(ext)) name.resize(name.size() - std::strlen(ext));
  if (name.ends_with(".lcs")) return "lcs";
  if (name.ends_with(".vscsi")) return "vscsi";
  if (name.ends_with(".bin") || name.find("oracleGeneral") != std::string::npos) return "oracleGeneral";
  if (name.find("cachelib") != std::string::npos || name.find("kvcache") != std::string::npos) return "cachelib";
  return "csv";
}

int run_analyze(int argc, char** argv) {
  po::options_description visible("options");
  std::string file, format, out_dir;
  double sample = 1.0;
  std::uint64_t window = 100000;
  InputOptions input;
  visible.add_options()
      ("format,f", po::value(&format), "as for trace info (default: from the file name: .lcs, .vscsi, .bin/oracleGeneral, cachelib/kvcache, else csv)")
      ("sample", po::value(&sample), "follow only this share of the keys, by key hash (0, 1]: for traces with too many objects")
      ("window", po::value(&window), "requests per one-hit-wonder window (default 100000)")
      ("output,o", po::value(&out_dir)->required(), "directory for the csv files and plots");
  input.add_to(visible);
  po::variables_map vm;
  const char* usage = "cachelab trace analyze TRACE [--format F] [--sample R] [--columns ...] [--header] -o DIR";
  if (auto code = parse_command(argc, argv, usage, visible, {{"TRACE", &file}}, vm)) return *code;
  if (!(sample > 0 && sample <= 1)) {
    std::fprintf(stderr, "cachelab trace analyze: --sample must be in (0, 1]\n");
    return kExitUsage;
  }
  if (window == 0) {
    std::fprintf(stderr, "cachelab trace analyze: --window must be at least 1\n");
    return kExitUsage;
  }
  if (format.empty()) format = format_from_name(file);
  sim::TraceSpec spec;
  if (!input.apply("analyze", file, format, &spec)) return kExitUsage;
  auto reader = sim::open_trace(spec);
  sim::TraceAnalysisOptions options;
  options.sample = sample;
  options.window_requests = window;
  const bool bar = isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  if (bar)
    options.progress = [start](std::uint64_t requests) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::fprintf(stderr, "\ranalyzing: %llu requests, %.1fM requests/s   ", (unsigned long long)requests,
                   s > 0 ? double(requests) / s / 1e6 : 0.0);
    };
  const sim::TraceAnalysis analysis = sim::analyze_trace(*reader, options);
  if (bar) std::fprintf(stderr, "\r%60s\r", "");
  sim::print_trace_analysis(std::cout, file, analysis);
  const auto written = sim::write_trace_analysis(out_dir, file, analysis);
  std::cout << "wrote " << written.size() << " files to " << out_dir << "\n";
  return kExitOk;
}

int run_convert(int argc, char** argv) {
  po::options_description visible("options");
  std::string in, out, from, to;
  InputOptions input;
  visible.add_options()
      ("from", po::value(&from)->required(), kFormatHelp)
      ("to", po::value(&to)->required(), "output format, as --from; an OUT name ending in .zst is zstd-compressed");
  input.add_to(visible);
  po::variables_map vm;
  const char* usage = "cachelab trace convert IN OUT --from F --to G [--columns ...] [--header]";
  if (auto code = parse_command(argc, argv, usage, visible, {{"IN", &in}, {"OUT", &out}}, vm)) return *code;
  sim::TraceSpec spec;
  if (!input.apply("convert", in, from, &spec)) return kExitUsage;
  auto to_format = sim::parse_trace_format(to);
  if (!to_format) {
    std::fprintf(stderr, "cachelab trace convert: unknown format '%s' (%s)\n", to.c_str(), sim::trace_format_list());
    return kExitUsage;
  }
  auto reader = sim::open_trace(spec);
  auto writer = sim::open_trace_writer(out, *to_format);
  const std::uint64_t n = sim::convert_trace(*reader, *writer);
  std::printf("wrote %llu requests to %s (%s)\n", (unsigned long long)n, out.c_str(),
              std::string(sim::trace_format_name(*to_format)).c_str());
  return kExitOk;
}

int run_trace(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::FILE* out = argc < 2 ? stderr : stdout;
    std::fprintf(out,
                 "usage: cachelab trace info FILE --format F [--columns ...] [--header]\n"
                 "       cachelab trace analyze TRACE [--format F] [--sample R] [--columns ...] [--header] -o DIR\n"
                 "       cachelab trace convert IN OUT --from F --to G [--columns ...] [--header]\n");
    return argc < 2 ? kExitUsage : kExitOk;
  }
  try {
    if (std::strcmp(argv[1], "info") == 0) return run_info(argc - 1, argv + 1);
    if (std::strcmp(argv[1], "analyze") == 0) return run_analyze(argc - 1, argv + 1);
    if (std::strcmp(argv[1], "convert") == 0) return run_convert(argc - 1, argv + 1);
  } catch (const sim::InputError& e) {
    std::fprintf(stderr, "cachelab trace %s: %s\n", argv[1], e.what());
    return kExitUsage;
  }
  std::fprintf(stderr, "cachelab trace: unknown subcommand '%s' (info, analyze or convert)\n", argv[1]);
  return kExitUsage;
}

}  // namespace
CACHELAB_REGISTER_COMMAND(trace, "trace", "inspect (info), analyze (analyze) or convert (convert) a trace file", run_trace);
}  // namespace cachelab::cli
