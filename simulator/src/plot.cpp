// Plots through gnuplot-iostream. gnuplot's stderr goes to a temporary file so that a failure can
// be reported in one line instead of leaking gnuplot's chatter onto the user's terminal.
#include "cachelab/sim/plot.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gnuplot-iostream.h>
#include <map>
#include <sstream>

namespace cachelab::sim {
namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(cell));
      cell.clear();
    } else if (c != '\r') {
      cell += c;
    }
  }
  out.push_back(std::move(cell));
  return out;
}

std::string extension_of(const std::string& path) {
  return std::filesystem::path(path).extension().string();
}

// Gnuplot strings are single-quoted; a quote inside is doubled.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && ::access((std::filesystem::path(dir) / program).c_str(), X_OK) == 0) return true;
  return false;
}

}  // namespace

std::size_t CsvTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name) return i;
  std::string known;
  for (const auto& c : columns) known += (known.empty() ? "" : ", ") + c;
  throw PlotUsageError("no column '" + name + "' (columns: " + known + ")");
}

CsvTable read_csv_table(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw PlotUsageError(path + ": cannot open");
  CsvTable t;
  std::string line;
  if (!std::getline(in, line)) throw PlotUsageError(path + ": empty file, expected a header row");
  t.columns = split_csv_line(line);
  std::size_t number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    auto row = split_csv_line(line);
    if (row.size() != t.columns.size())
      throw PlotUsageError(path + ":" + std::to_string(number) + ": " + std::to_string(row.size()) +
                           " cells, the header has " + std::to_string(t.columns.size()));
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string axis_label(const std::string& column) {
  static const std::map<std::string, std::string> known = {
      {"ttl_s", "TTL (s)"},
      {"capacity_bytes", "capacity (bytes)"},
      {"capacity_objects", "capacity (objects)"},
      {"hit_ratio", "hit ratio (hits / reads)"},
      {"byte_hit_ratio", "byte hit ratio"},
      {"stale_ratio", "stale ratio (stale hits / reads)"},
      {"mean_stale_age_s", "mean stale age (s)"},
      {"origin_reads", "origin reads"},
      {"start_s", "time (s)"},
      {"end_s", "time (s)"},
  };
  if (auto pos = known.find(column); pos != known.end()) return pos->second;
  std::string label = column;
  for (char& c : label)
    if (c == '_') c = ' ';
  if (label.size() > 2 && label.compare(label.size() - 2, 2, " s") == 0) label = label.substr(0, label.size() - 2) + " (s)";
  return label;
}

bool wants_log_axis(const std::string& column) {
  return column.rfind("capacity", 0) == 0 || column.rfind("ttl", 0) == 0;
}

void plot_table(const CsvTable& table, const PlotSpec& spec) {
  const std::string ext = extension_of(spec.output);
  std::string terminal;
  if (ext == ".png") {
    terminal = "pngcairo size 960,600 enhanced font 'DejaVu Sans,11'";
  } else if (ext == ".svg") {
    terminal = "svg size 960,600 enhanced font 'DejaVu Sans,11' background '#ffffff'";
  } else {
    throw PlotUsageError("cannot plot to '" + spec.output + "': the file must end in .png or .svg");
  }
  if (spec.y.empty()) throw PlotUsageError("no y column given");
  const std::size_t x_col = table.column(spec.x);
  std::vector<std::size_t> y_cols;
  for (const auto& y : spec.y) y_cols.push_back(table.column(y));
  const bool by_series = !spec.series.empty();
  const std::size_t series_col = by_series ? table.column(spec.series) : 0;

  // Staleness is a few percent where hit ratios are near 1: drawn with the others, it is a flat
  // line at the bottom. When it shares the plot with other columns it gets the right-hand axis.
  std::vector<bool> on_y2(spec.y.size(), false);
  bool any_y1 = false;
  for (std::size_t i = 0; i < spec.y.size(); ++i) {
    on_y2[i] = spec.y[i].find("stale") != std::string::npos;
    any_y1 = any_y1 || !on_y2[i];
  }
  if (!any_y1) on_y2.assign(spec.y.size(), false);
  const bool use_y2 = std::find(on_y2.begin(), on_y2.end(), true) != on_y2.end();

  // One line per (series value, y column), points sorted by x; non-numeric cells are skipped.
  std::map<std::string, std::vector<std::pair<double, double>>> lines;
  std::map<std::string, bool> line_on_y2;
  const bool log_x = spec.log_x || wants_log_axis(spec.x);
  for (const auto& row : table.rows) {
    char* end = nullptr;
    const double x = std::strtod(row[x_col].c_str(), &end);
    if (row[x_col].empty() || *end != '\0' || (log_x && x <= 0)) continue;
    for (std::size_t i = 0; i < y_cols.size(); ++i) {
      const double y = std::strtod(row[y_cols[i]].c_str(), &end);
      if (row[y_cols[i]].empty() || *end != '\0' || (spec.log_y && y <= 0)) continue;
      std::string name = by_series ? spec.series + "=" + row[series_col] : "";
      if (y_cols.size() > 1 || !by_series) name += (name.empty() ? "" : ", ") + axis_label(spec.y[i]);
      lines[name].push_back({x, y});
      line_on_y2[name] = on_y2[i];
    }
  }
  if (lines.empty()) throw PlotUsageError("nothing to plot: no row has numbers in both " + spec.x + " and " + spec.y[0]);
  for (auto& [name, points] : lines) std::sort(points.begin(), points.end());

  const auto errors = std::filesystem::temp_directory_path() / ("cachelab-gnuplot-" + std::to_string(::getpid()) + ".err");
  if (!on_path("gnuplot"))
    throw PlotError("gnuplot not found on PATH: install it (Debian: apt-get install gnuplot-nox) or run scripts/install-deps");
  {
    // Fail before gnuplot runs if the file cannot be written (gnuplot would fall back to stdout).
    std::ofstream probe(spec.output, std::ios::binary | std::ios::trunc);
    if (!probe) throw PlotError("cannot write " + spec.output);
  }
  std::filesystem::remove(spec.output);
  {
    Gnuplot gp("gnuplot > /dev/null 2> '" + errors.string() + "'");
    gp << "set terminal " << terminal << "\n";
    gp << "set output " << quoted(spec.output) << "\n";
    gp << "set title " << quoted(spec.title) << " noenhanced\n";
    gp << "set xlabel " << quoted(axis_label(spec.x)) << "\n";
    std::vector<std::string> y1_names, y2_names;
    for (std::size_t i = 0; i < spec.y.size(); ++i) (on_y2[i] ? y2_names : y1_names).push_back(spec.y[i]);
    gp << "set ylabel " << quoted(y1_names.size() == 1 ? axis_label(y1_names[0]) : "ratio") << "\n";
    if (use_y2) {
      gp << "set y2label " << quoted(y2_names.size() == 1 ? axis_label(y2_names[0]) : "staleness") << "\n";
      gp << "set ytics nomirror\nset y2tics\nset y2range [0:*]\n";
    }
    gp << "set key below noenhanced\n";
    gp << "set grid\n";
    // Byte capacities read best on powers of two with binary prefixes (4 MiB, not 4.194304x10^6).
    if (spec.x == "capacity_bytes") {
      gp << "set logscale x 2\nset format x '%.0b %BB'\n";
    } else if (log_x) {
      gp << "set logscale x\n";
    }
    if (spec.log_y) gp << "set logscale y\n";
    if (!std::isnan(spec.marker_x)) {
      gp << "set arrow from " << spec.marker_x << ", graph 0 to " << spec.marker_x << ", graph 1 nohead dt 2 lw 2 lc rgb '#cc0000'\n";
      gp << "set label " << quoted(spec.marker_label) << " at " << spec.marker_x << ", graph 0.95 offset 0.5,0 tc rgb '#cc0000'\n";
    }
    gp << "plot ";
    // Series that coincide must stay visible: earlier lines are drawn wider and with larger
    // points, so a later one on top of them shows as a thin line inside a band.
    std::size_t index = 0;
    for (const auto& [name, points] : lines) {
      const double widen = static_cast<double>(std::min<std::size_t>(lines.size() - 1 - index, 4));
      gp << (index ? ", " : "") << "'-' using 1:2" << (line_on_y2[name] ? " axes x1y2" : "")
         << " with linespoints lw " << 1.5 + 1.5 * widen << " pt " << (index % 13) + 1 << " ps "
         << 1.0 + 0.4 * widen << (line_on_y2[name] ? " dt 2" : "") << " title " << quoted(name);
      ++index;
    }
    gp << "\n";
    for (const auto& [name, points] : lines) gp.send1d(points);
    gp << "unset output\n";
  }  // closing the pipe waits for gnuplot to finish
  std::ifstream err(errors);
  std::stringstream text;
  text << err.rdbuf();
  std::filesystem::remove(errors);
  std::error_code ec;
  if (!std::filesystem::exists(spec.output) || std::filesystem::file_size(spec.output, ec) == 0) {
    std::string why = text.str();
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    const auto nl = why.rfind('\n');
    throw PlotError("gnuplot did not write " + spec.output + (why.empty() ? "" : ": " + why.substr(nl == std::string::npos ? 0 : nl + 1)));
  }
}

}  // namespace cachelab::sim
