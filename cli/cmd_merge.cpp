// cachelab merge: joins the parts of a sharded sweep (`cachelab sim --shard I/N`) into the files
// the whole run writes, and draws the scenario's plots. Glue only: the work is in
// simulator/ (cachelab/sim/shard.h).
#include <cstdio>
#include <filesystem>

#include "cachelab/sim/errors.h"
#include "cachelab/sim/plot.h"
#include "cachelab/sim/scenario.h"
#include "cachelab/sim/shard.h"
#include "cachelab/sim/sim_plots.h"
#include "command.h"
#include "help_option.h"
#include "options.h"

namespace cachelab::cli {
namespace {

int run_merge(int argc, char** argv) {
  po::options_description visible("options");
  std::string out_dir;
  std::vector<std::string> dirs;
  visible.add_options()("out,o", po::value(&out_dir)->required(), "write the merged results (and plots) into DIR");
  po::options_description hidden;
  hidden.add_options()("part", po::value(&dirs)->composing());
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description positional;
  positional.add("part", -1);
  po::variables_map vm;
  const char* usage = "cachelab merge DIR... -o OUT   (DIR: the -o of each `cachelab sim --shard I/N` run)";
  if (print_help_if_asked(argc, argv, usage, visible)) return kExitOk;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
    if (dirs.empty()) throw po::error("no part to merge: give the -o DIR of each shard's run");
  } catch (const po::error& e) {
    std::fprintf(stderr, "cachelab merge: %s (see --help)\n", e.what());
    return kExitUsage;
  }
  try {
    const sim::MergeSummary merged = sim::merge_shards(dirs, out_dir);
    std::printf("merged %zu cells from %zu parts into %s\n", merged.cells, merged.parts, out_dir.c_str());
    // The plots need the scenario's plot list: read from the scenario file the parts ran.
    const sim::Scenario scenario = sim::load_scenario(merged.scenario_path, merged.overrides);
    if (!scenario.plots.empty())
      sim::draw_scenario_plots(scenario.plots, (std::filesystem::path(out_dir) / "results.csv").string(), out_dir);
  } catch (const sim::InputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitUsage;
  } catch (const sim::PlotUsageError& e) {
    std::fprintf(stderr, "cachelab merge: plots: %s\n", e.what());
    return kExitUsage;
  } catch (const sim::PlotError& e) {
    std::fprintf(stderr, "cachelab merge: plots: %s\n", e.what());
    return kExitFailure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cachelab merge: %s\n", e.what());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace
CACHELAB_REGISTER_COMMAND(merge, "merge", "join the parts of a sharded sweep (sim --shard I/N)", run_merge);
}  // namespace cachelab::cli
