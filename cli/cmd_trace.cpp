// cachelab trace: inspect (info) or convert (convert) a trace file.
#include "command.h"

namespace cachelab::cli {
namespace {
int run_trace(int, char**) { return not_built_yet("trace", "4"); }
}  // namespace
CACHELAB_REGISTER_COMMAND(trace, "trace", "inspect (info) or convert (convert) a trace file", run_trace);
}  // namespace cachelab::cli
