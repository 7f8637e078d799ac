// cachelab sim: replay a scenario or trace through the engine.
#include "command.h"

namespace cachelab::cli {
namespace {
int run_sim(int, char**) { return not_built_yet("sim", "4"); }
}  // namespace
CACHELAB_REGISTER_COMMAND(sim, "sim", "replay a scenario or trace through the engine", run_sim);
}  // namespace cachelab::cli
