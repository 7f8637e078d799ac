// cachelab plot: plot any results.csv with gnuplot.
#include "command.h"

namespace cachelab::cli {
namespace {
int run_plot(int, char**) { return not_built_yet("plot", "5"); }
}  // namespace
CACHELAB_REGISTER_COMMAND(plot, "plot", "plot any results.csv with gnuplot", run_plot);
}  // namespace cachelab::cli
