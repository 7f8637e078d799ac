// cachelab bench: load-test a memcached-protocol server.
#include "command.h"

namespace cachelab::cli {
namespace {
int run_bench(int, char**) { return not_built_yet("bench", "8"); }
}  // namespace
CACHELAB_REGISTER_COMMAND(bench, "bench", "load-test a memcached-protocol server", run_bench);
}  // namespace cachelab::cli
