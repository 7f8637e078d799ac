#include "cachelab/sim/sim_plots.h"

#include <filesystem>

#include "cachelab/sim/plot.h"

namespace cachelab::sim {
namespace {

std::string resolve(const CsvTable& table, const std::string& name) {
  if (name == "ttl") return "ttl_s";
  if (name == "capacity") {
    // Object-mode results leave capacity_bytes empty.
    const std::size_t bytes = table.column("capacity_bytes");
    const bool byte_mode = !table.rows.empty() && !table.rows.front()[bytes].empty();
    return byte_mode ? "capacity_bytes" : "capacity_objects";
  }
  if (name == "cache.policy") return "policy";
  return name;
}

}  // namespace

void draw_scenario_plots(const std::vector<PlotRequest>& plots, const std::string& results_csv,
                         const std::string& out_dir) {
  if (plots.empty()) return;
  const CsvTable table = read_csv_table(results_csv);
  for (const PlotRequest& p : plots) {
    PlotSpec spec;
    spec.x = resolve(table, p.x);
    for (const std::string& y : p.y) spec.y.push_back(resolve(table, y));
    if (!p.series.empty()) spec.series = resolve(table, p.series);
    spec.output = (std::filesystem::path(out_dir) / p.file).string();
    // The title names the scenario (from results.csv's first column) unless the YAML gives one.
    spec.title = p.title;
    if (spec.title.empty() && !table.rows.empty()) spec.title = table.rows.front()[table.column("scenario")];
    plot_table(table, spec);
  }
}

}  // namespace cachelab::sim
