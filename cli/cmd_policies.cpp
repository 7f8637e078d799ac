// cachelab policies: the eviction policies this build knows, one line each.
#include <cstdio>

#include "cachelab/policy_registry.h"
#include "command.h"
#include "options.h"

namespace cachelab::cli {
namespace {

int run_policies(int argc, char** argv) {
  po::options_description opts("options");
  po::positional_options_description pos;
  po::variables_map vm;
  if (auto rc = parse_options(argc, argv, "cachelab policies", opts, pos, vm)) return *rc;
  for (const PolicyInfo* p : PolicyRegistry::instance().all())
    std::printf("%-10s %s%s\n", p->name.c_str(), p->description.c_str(),
                p->simulator_only ? " (simulator only)" : "");
  return kExitOk;
}

}  // namespace
CACHELAB_REGISTER_COMMAND(policies, "policies", "list the eviction policies", run_policies);
}  // namespace cachelab::cli
