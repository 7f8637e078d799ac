#pragma once
// Loads policy modules (policy_module.h) and makes stores whose policy is a module: the server
// and the simulator then use them like any built-in policy.
#include <memory>
#include <stdexcept>
#include <string>

#include "cachelab/store.h"

namespace cachelab {

// A module that cannot be used: the message is one line naming the file and the reason
// (missing, not a shared object, no entry symbol, unsupported ABI version, create failed).
class PolicyModuleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Opens the module at `path` (once per path per process; later calls reuse it) and checks that it
// can be used, by creating and destroying one instance with `args`. Throws PolicyModuleError.
void check_policy_module(const std::string& path, const StoreConfig& config, const PolicyArgs& args);

// A store whose policy is the module at `path`. Throws PolicyModuleError.
std::unique_ptr<Store> make_module_store(const std::string& path, const StoreConfig& config,
                                         const PolicyArgs& args);

}  // namespace cachelab
