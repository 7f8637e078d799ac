// cachelab serve: run a memcached-compatible server.
#include "command.h"

namespace cachelab::cli {
namespace {
int run_serve(int, char**) { return not_built_yet("serve", "3"); }
}  // namespace
CACHELAB_REGISTER_COMMAND(serve, "serve", "run a memcached-compatible server", run_serve);
}  // namespace cachelab::cli
