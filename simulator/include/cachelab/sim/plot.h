#pragma once
// Plots of results files through gnuplot (gnuplot-iostream): PNG (pngcairo) or SVG by the output's
// extension, axis labels with units, log x for capacities and TTLs, one line per series.
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace cachelab::sim {

// A CSV file with a header row, read whole (results files are small: one row per run).
struct CsvTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  // The column's index; throws PlotError naming the file's columns when absent.
  std::size_t column(const std::string& name) const;
};
CsvTable read_csv_table(const std::string& path);

struct PlotSpec {
  std::string x;
  std::vector<std::string> y;
  std::string series;  // empty: one line per y column
  std::string output;  // .png or .svg
  std::string title;   // empty: derived from the file
  // A vertical marker line, e.g. the TTL `cachelab ttl` chose (NaN: none).
  double marker_x = std::numeric_limits<double>::quiet_NaN();
  std::string marker_label;
  // Log axes whatever the columns are (trace analyze: rank-frequency, histograms over decades).
  bool log_x = false;
  bool log_y = false;
};

// Bad request (unknown column, unsupported extension): exit 2. Gnuplot failing: exit 1.
class PlotUsageError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};
class PlotError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Draws the plot and checks that gnuplot wrote the file; gnuplot's own error text is in the
// message when it did not.
void plot_table(const CsvTable& table, const PlotSpec& spec);

// "hit_ratio" -> "hit ratio", "ttl_s" -> "TTL (s)", "capacity_bytes" -> "capacity (bytes)".
std::string axis_label(const std::string& column);
// Capacities and TTLs span orders of magnitude: plotted on a log axis.
bool wants_log_axis(const std::string& column);

}  // namespace cachelab::sim
