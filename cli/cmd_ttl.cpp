// cachelab ttl: recommend a TTL per class for a staleness budget.
#include "command.h"

namespace cachelab::cli {
namespace {
int run_ttl(int, char**) { return not_built_yet("ttl", "5"); }
}  // namespace
CACHELAB_REGISTER_COMMAND(ttl, "ttl", "recommend a TTL per class for a staleness budget", run_ttl);
}  // namespace cachelab::cli
