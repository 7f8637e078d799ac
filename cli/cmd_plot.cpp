// cachelab plot: redraws any results file (results.csv, timeline.csv, a ttl table) with gnuplot.
#include <cstdio>
#include <sstream>

#include "cachelab/sim/plot.h"
#include "command.h"
#include "help_option.h"
#include "options.h"

namespace cachelab::cli {
namespace {

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

int run_plot(int argc, char** argv) {
  po::options_description opts("options");
  std::string file, x, y, series, output, title;
  opts.add_options()
      ("x", po::value(&x)->required(), "column for the x axis (capacities and TTLs get a log axis)")
      ("y", po::value(&y)->required(), "column(s) for the y axis, comma-separated")
      ("series", po::value(&series), "column whose values make one line each (e.g. policy)")
      ("output,o", po::value(&output)->required(), "output file: .png (pngcairo) or .svg")
      ("title", po::value(&title), "plot title (default: the file's name)");
  po::variables_map vm;
  const char* usage = "cachelab plot FILE.csv --x COL --y COL[,COL] [--series COL] -o FILE.png|.svg";
  if (auto rc = parse_command(argc, argv, usage, opts, {{"FILE.csv", &file}}, vm)) return *rc;
  try {
    const sim::CsvTable table = sim::read_csv_table(file);
    sim::PlotSpec spec;
    spec.x = x;
    spec.y = split_commas(y);
    spec.series = series;
    spec.output = output;
    spec.title = title.empty() ? file : title;
    sim::plot_table(table, spec);
  } catch (const sim::PlotUsageError& e) {
    std::fprintf(stderr, "cachelab plot: %s\n", e.what());
    return kExitUsage;
  } catch (const sim::PlotError& e) {
    std::fprintf(stderr, "cachelab plot: %s\n", e.what());
    return kExitFailure;
  }
  std::printf("wrote %s\n", output.c_str());
  return kExitOk;
}

}  // namespace
CACHELAB_REGISTER_COMMAND(plot, "plot", "plot any results.csv with gnuplot", run_plot);
}  // namespace cachelab::cli
