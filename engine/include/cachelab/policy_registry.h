#pragma once
// Policies register themselves by name: adding a policy is one new file with one
// CACHELAB_REGISTER_POLICY line, and no switch anywhere (see docs/ARCHITECTURE.md).
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cachelab/store.h"

namespace cachelab {

struct PolicyInfo {
  std::string name;
  std::string description;
  bool simulator_only = false;  // e.g. belady, which needs the future
  std::function<std::unique_ptr<Store>(const StoreConfig&, const PolicyArgs&)> make;
};

class PolicyRegistry {
 public:
  static PolicyRegistry& instance();
  bool add(PolicyInfo info);
  const PolicyInfo* find(std::string_view name) const;
  // Sorted by name.
  std::vector<const PolicyInfo*> all() const;

 private:
  std::vector<std::unique_ptr<PolicyInfo>> policies_;
};

}  // namespace cachelab
