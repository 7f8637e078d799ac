// cachelab ttl: for each class, the TTL with the best hit ratio within a staleness budget.
// Glue only: the search is simulator/src/ttl_picker.cpp; the plot is cachelab plot's.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cachelab/sim/errors.h"
#include "cachelab/sim/plot.h"
#include "cachelab/sim/scenario.h"
#include "cachelab/sim/ttl_picker.h"
#include "cachelab/sim/units.h"
#include "command.h"
#include "help_option.h"
#include "options.h"

namespace cachelab::cli {
namespace {

std::string ttl_text(std::uint64_t ms) {
  if (ms % 86'400'000 == 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

// With a database budget the table also shows each trial's protection, its busiest second of
// origin reads and its readers' p99 wait: the trade-off between load, waits and staleness.
void print_table(const std::vector<sim::TtlTrial>& trials, std::optional<std::size_t> chosen, bool db_budget) {
  std::printf("  %-8s", "ttl");
  if (db_budget) std::printf(" %-13s", "protection");
  std::printf(" %10s %12s %17s %15s", "hit_ratio", "stale_ratio", "mean_stale_age_s", "origin_reads/s");
  if (db_budget) std::printf(" %10s %12s", "db_peak/s", "wait_p99_ms");
  std::printf("\n");
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const auto& t = trials[i];
    std::printf("%s %-8s", chosen == i ? "->" : "  ", ttl_text(t.ttl_ms).c_str());
    if (db_budget) std::printf(" %-13s", std::string(sim::protection_name(t.protection)).c_str());
    std::printf(" %10.4f %12.4f %17.2f %15.2f", t.hit_ratio, t.stale_ratio, t.mean_stale_age_s, t.origin_reads_per_s);
    if (db_budget) std::printf(" %10llu %12.0f", (unsigned long long)t.peak_origin_reads_per_s, t.wait_p99_ms);
    std::printf("%s\n", t.within_budget ? "" : "  over budget");
  }
}

void write_csv(const std::filesystem::path& path, const std::vector<sim::TtlChoice>& choices, bool db_budget) {
  std::ofstream out(path);
  out << "class,invalidation,ttl_s,hit_ratio,stale_ratio,mean_stale_age_s,origin_reads_per_s,within_budget,chosen";
  out << (db_budget ? ",protection,peak_origin_reads_per_s,wait_p99_ms\n" : "\n");
  auto rows = [&](const sim::TtlChoice& c, const std::vector<sim::TtlTrial>& trials, const char* mode, bool mark) {
    for (std::size_t i = 0; i < trials.size(); ++i) {
      const auto& t = trials[i];
      out << c.group << ',' << mode << ',' << static_cast<double>(t.ttl_ms) / 1000.0 << ',' << t.hit_ratio << ','
          << t.stale_ratio << ',' << t.mean_stale_age_s << ',' << t.origin_reads_per_s << ',' << t.within_budget << ','
          << (mark && c.chosen == i);
      if (db_budget) out << ',' << sim::protection_name(t.protection) << ',' << t.peak_origin_reads_per_s << ',' << t.wait_p99_ms;
      out << '\n';
    }
  };
  for (const auto& c : choices) {
    rows(c, c.trials, "scenario", true);
    rows(c, c.delete_on_write, "delete-on-write", false);
  }
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Hit ratio and stale ratio against TTL (log x), the chosen TTL marked.
void plot_class(const std::filesystem::path& dir, const sim::Scenario& s, const sim::TtlChoice& c, double budget,
                bool db_budget) {
  sim::CsvTable table;
  table.columns = {"ttl_s", "hit_ratio", "stale_ratio", "protection"};
  for (const auto& t : c.trials)
    table.rows.push_back({std::to_string(static_cast<double>(t.ttl_ms) / 1000.0), std::to_string(t.hit_ratio),
                          std::to_string(t.stale_ratio), std::string(sim::protection_name(t.protection))});
  sim::PlotSpec spec;
  spec.x = "ttl_s";
  spec.y = {"hit_ratio", "stale_ratio"};
  if (db_budget) spec.series = "protection";
  spec.output = (dir / ("ttl-" + c.group + ".png")).string();
  std::ostringstream title;
  title << s.name << ": class " << c.group << ", stale budget " << budget;
  spec.title = title.str();
  if (c.chosen) {
    spec.marker_x = static_cast<double>(c.trials[*c.chosen].ttl_ms) / 1000.0;
    spec.marker_label = "chosen " + ttl_text(c.trials[*c.chosen].ttl_ms);
  }
  sim::plot_table(table, spec);
  std::printf("wrote %s\n", spec.output.c_str());
}

int run_ttl(int argc, char** argv) {
  po::options_description visible("options");
  std::string scenario_path, out_dir, candidates;
  std::vector<std::string> sets;
  double budget = -1, db_peak = -1;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  visible.add_options()
      ("max-stale-ratio", po::value(&budget), "the staleness budget: stale hits / reads, e.g. 0.01")
      ("max-db-peak", po::value(&db_peak),
       "the database budget: origin reads a class may cause in its busiest second; tries each TTL with each "
       "protection (none, lease, serve-stale, early-refresh) and recommends both")
      ("candidates", po::value(&candidates), "TTLs to try, comma-separated (default 1s,5s,10s,30s,1m,5m,10m,30m,1h,6h,1d)")
      ("out,o", po::value(&out_dir), "write DIR/ttl.csv and one plot per class (DIR/ttl-CLASS.png)")
      ("set", po::value(&sets)->composing(), "override a scenario field first, as in cachelab sim (repeatable)")
      ("jobs,j", po::value(&jobs), "replays run in parallel (default: the number of cores)");
  po::variables_map vm;
  const char* usage =
      "cachelab ttl SCENARIO.yaml --max-stale-ratio R [--max-db-peak N] [--candidates 1s,10s,1m,...] [-o DIR]";
  if (auto code = parse_command(argc, argv, usage, visible, {{"SCENARIO.yaml", &scenario_path}}, vm)) return *code;
  const bool db_budget = vm.count("max-db-peak") > 0;
  if (!vm.count("max-stale-ratio") && !db_budget) {
    std::fprintf(stderr, "cachelab ttl: give a budget: --max-stale-ratio R and/or --max-db-peak N\n");
    return kExitUsage;
  }
  if (!vm.count("max-stale-ratio")) budget = 1;  // only the database budget
  if (!(budget >= 0 && budget <= 1)) {
    std::fprintf(stderr, "cachelab ttl: --max-stale-ratio must be in [0, 1]\n");
    return kExitUsage;
  }
  if (db_budget && !(db_peak >= 0)) {
    std::fprintf(stderr, "cachelab ttl: --max-db-peak must be a number of origin reads per second, 0 or more\n");
    return kExitUsage;
  }
  sim::TtlOptions options;
  options.max_stale_ratio = budget;
  if (db_budget) options.max_db_peak = db_peak;
  options.jobs = jobs == 0 ? 1 : jobs;
  std::stringstream list(candidates);
  for (std::string item; std::getline(list, item, ',');) {
    if (item.empty()) continue;
    const auto ms = sim::parse_duration_ms(item);
    if (!ms || *ms == 0) {
      std::fprintf(stderr, "cachelab ttl: --candidates: '%s' is not a TTL such as 30s or 5m\n", item.c_str());
      return kExitUsage;
    }
    options.candidates_ms.push_back(*ms);
  }
  try {
    const sim::Scenario s = sim::load_scenario(scenario_path, sets);
    const auto choices = sim::pick_ttls(s, options);
    for (const auto& c : choices) {
      std::printf("class %s (invalidation %s, budget: stale ratio <= %g", c.group.c_str(),
                  std::string(sim::invalidation_name(s.invalidation)).c_str(), budget);
      if (db_budget) std::printf(", database peak <= %g reads/s", db_peak);
      std::printf(")\n");
      print_table(c.trials, c.chosen, db_budget);
      if (c.chosen) {
        const auto& t = c.trials[*c.chosen];
        std::printf("  choose ttl %s", ttl_text(t.ttl_ms).c_str());
        if (db_budget) std::printf(" with protection %s", std::string(sim::protection_name(t.protection)).c_str());
        std::printf(": hit ratio %.4f, stale ratio %.4f", t.hit_ratio, t.stale_ratio);
        if (db_budget) std::printf(", database peak %llu reads/s", (unsigned long long)t.peak_origin_reads_per_s);
        std::printf("\n\n");
      } else {
        if (db_budget) std::printf("  no TTL and protection keep the stale ratio within %g and the database peak within %g.\n", budget, db_peak);
        else std::printf("  no TTL keeps the stale ratio within %g.\n", budget);
        if (!c.delete_on_write.empty()) {
          std::printf("  with delete-on-write (the cache is told of each write, nothing is served stale):\n");
          print_table(c.delete_on_write, std::nullopt, db_budget);
        }
        std::printf("\n");
      }
    }
    if (!out_dir.empty()) {
      std::filesystem::create_directories(out_dir);
      write_csv(std::filesystem::path(out_dir) / "ttl.csv", choices, db_budget);
      for (const auto& c : choices) plot_class(out_dir, s, c, budget, db_budget);
    }
  } catch (const sim::InputError& e) {
    std::fprintf(stderr, "cachelab ttl: %s\n", e.what());
    return kExitUsage;
  } catch (const sim::PlotUsageError& e) {
    std::fprintf(stderr, "cachelab ttl: %s\n", e.what());
    return kExitUsage;
  } catch (const sim::PlotError& e) {
    std::fprintf(stderr, "cachelab ttl: %s\n", e.what());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace
CACHELAB_REGISTER_COMMAND(ttl, "ttl", "recommend a TTL per class for a staleness budget", run_ttl);
}  // namespace cachelab::cli
