// cachelab sim: replay a scenario (synthetic classes or a trace) through the engine.
// Glue only: the work is in simulator/ (cachelab/sim/runner.h, results.h).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "cachelab/sim/errors.h"
#include "cachelab/sim/results.h"
#include "cachelab/sim/runner.h"
#include "cachelab/sim/plot.h"
#include "cachelab/sim/shard.h"
#include "cachelab/sim/sim_plots.h"
#include "cachelab/sim/units.h"
#include "command.h"
#include "help_option.h"
#include "options.h"

namespace cachelab::cli {
namespace {

void write_file(const std::filesystem::path& path, void (*writer)(std::ostream&, const std::vector<sim::SimRun>&),
                const std::vector<sim::SimRun>& runs) {
  std::ofstream out(path);
  writer(out, runs);
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

int run_sim(int argc, char** argv) {
  po::options_description visible("options");
  std::string scenario, out_dir, timeline, shard;
  std::vector<std::string> sets;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  visible.add_options()
      ("out,o", po::value(&out_dir), "write results.csv, results_by_class.csv, results.json (and timeline.csv) into DIR")
      ("set", po::value(&sets)->composing(), "override a scenario field, e.g. --set cache.capacity=1GiB (repeatable)")
      ("timeline", po::value(&timeline), "also write DIR/timeline.csv with one row per interval, e.g. 60s")
      ("jobs,j", po::value(&jobs), "sweep cells run in parallel (default: the number of cores; results do not depend on it)")
      ("shard", po::value(&shard), "I/N: run only the cells whose index is I mod N into -o DIR; `cachelab merge` joins the N parts");
  po::variables_map vm;
  const char* usage = "cachelab sim SCENARIO.yaml [-o DIR] [--set PATH=VALUE]... [--timeline 60s] [--jobs N] [--shard I/N]";
  if (auto code = parse_command(argc, argv, usage, visible, {{"SCENARIO.yaml", &scenario}}, vm)) return *code;
  sim::SimOptions options;
  options.overrides = sets;
  options.jobs = jobs == 0 ? 1 : jobs;
  if (!timeline.empty()) {
    auto ms = sim::parse_duration_ms(timeline);
    if (!ms || *ms == 0) {
      std::fprintf(stderr, "cachelab sim: --timeline: expected an interval such as 60s, got '%s'\n", timeline.c_str());
      return kExitUsage;
    }
    if (out_dir.empty()) {
      std::fprintf(stderr, "cachelab sim: --timeline needs -o DIR (it writes DIR/timeline.csv)\n");
      return kExitUsage;
    }
    options.timeline_ms = *ms;
  }
  const bool sharded = !shard.empty();
  if (sharded) {
    if (!sim::parse_shard(shard, &options.shard_index, &options.shard_count)) {
      std::fprintf(stderr, "cachelab sim: --shard: expected I/N with 0 <= I < N, such as 0/4, got '%s'\n", shard.c_str());
      return kExitUsage;
    }
    if (out_dir.empty()) {
      std::fprintf(stderr, "cachelab sim: --shard needs -o DIR (the part that `cachelab merge` reads)\n");
      return kExitUsage;
    }
  }
  if (isatty(STDERR_FILENO)) {
    options.progress = [](const sim::SimProgress& p) {
      // Drawn only once the run has lasted a second: short runs print nothing extra.
      using Clock = std::chrono::steady_clock;
      static const Clock::time_point start = Clock::now();
      static std::uint64_t requests_done = 0;  // of finished cells, in a sweep
      static bool shown = false;
      const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      const int width = 30;
      const bool cells = p.cells_total > 1;
      if (cells && p.fraction >= 1.0) requests_done += p.requests;
      if (elapsed < 1.0 && !shown) return;
      shown = true;
      const double fraction = cells ? double(p.cells_done) / double(p.cells_total) : p.fraction;
      const double requests = static_cast<double>(cells ? requests_done : p.requests);
      const double rate = elapsed > 0 ? requests / elapsed : 0;
      if (fraction < 0) {  // a trace of unknown length: count the requests
        std::fprintf(stderr, "\r%llu requests, %.1fM requests/s   ", (unsigned long long)p.requests, rate / 1e6);
        return;
      }
      const int filled = static_cast<int>(width * fraction);
      std::fprintf(stderr, "\r[%.*s%*s] ", filled, "##############################", width - filled, "");
      if (cells) std::fprintf(stderr, "%zu/%zu runs", p.cells_done, p.cells_total);
      else std::fprintf(stderr, "%3.0f%%", 100 * fraction);
      std::fprintf(stderr, ", %.1fM requests/s", rate / 1e6);
      if (fraction > 0 && fraction < 1) std::fprintf(stderr, ", ETA %.0f s   ", elapsed * (1 - fraction) / fraction);
      else std::fprintf(stderr, "           ");
      if (p.cells_done == p.cells_total) std::fprintf(stderr, "\n");
    };
  }
  try {
    std::size_t total_cells = 0;
    const auto runs = sim::run_scenario_file(scenario, options, &total_cells);
    // The same files for a whole run and for a shard's part (which `cachelab merge` joins).
    const std::filesystem::path dir(out_dir);
    auto write_results = [&] {
      std::filesystem::create_directories(dir);
      write_file(dir / "results.csv", sim::write_results_csv, runs);
      write_file(dir / "results.json", sim::write_results_json, runs);
      write_file(dir / "results_by_class.csv", sim::write_results_by_class_csv, runs);
      if (options.timeline_ms) write_file(dir / "timeline.csv", sim::write_timeline_csv, runs);
    };
    if (sharded) {
      write_results();
      sim::write_shard_manifest(out_dir, {scenario, sets, options.timeline_ms, options.shard_index, options.shard_count, total_cells},
                                runs);
      if (!runs.empty()) sim::print_results_table(std::cout, runs);
      std::fprintf(stderr, "cachelab sim: shard %zu/%zu: %zu of %zu cells in %s (cachelab merge joins the parts; it draws the plots)\n",
                   options.shard_index, options.shard_count, runs.size(), total_cells, out_dir.c_str());
      return kExitOk;
    }
    sim::print_results_table(std::cout, runs);
    if (!out_dir.empty()) {
      write_results();
      sim::draw_scenario_plots(runs.front().scenario.plots, (dir / "results.csv").string(), out_dir);
    } else if (!runs.front().scenario.plots.empty()) {
      std::fprintf(stderr, "cachelab sim: the scenario's plots are drawn only with -o DIR\n");
    }
  } catch (const sim::InputError& e) {
    std::fprintf(stderr, "cachelab sim: %s\n", e.what());
    return kExitUsage;
  } catch (const sim::PlotUsageError& e) {
    std::fprintf(stderr, "cachelab sim: %s: plots: %s\n", scenario.c_str(), e.what());
    return kExitUsage;
  } catch (const sim::PlotError& e) {
    std::fprintf(stderr, "cachelab sim: plots: %s\n", e.what());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace
CACHELAB_REGISTER_COMMAND(sim, "sim", "replay a scenario or trace through the engine", run_sim);
}  // namespace cachelab::cli
