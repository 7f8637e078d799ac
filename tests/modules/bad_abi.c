/* A module built for an ABI this cachelab does not support. */
#include <cachelab/policy_module.h>
static const cachelab_policy_module table = {99, sizeof(cachelab_policy_module), "bad-abi", 0, 0, 0, 0, 0, 0, 0, 0, 0};
CACHELAB_MODULE_EXPORT const cachelab_policy_module* cachelab_policy_module_init(const cachelab_host_api* h) {
  (void)h;
  return &table;
}
