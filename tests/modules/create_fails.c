/* A module whose create() refuses its arguments. */
#include <cachelab/policy_module.h>
#include <stdio.h>
static cachelab_policy* create(const cachelab_host_api* h, const cachelab_policy_config* c,
                               const cachelab_policy_arg* a, size_t n, char* e, size_t s) {
  (void)h, (void)c, (void)a, (void)n;
  snprintf(e, s, "this module always refuses (test)");
  return NULL;
}
static void destroy(cachelab_policy* p) { (void)p; }
static void on_insert(cachelab_policy* p, cachelab_item* it, uint64_t now) { (void)p, (void)it, (void)now; }
static void on_update(cachelab_policy* p, cachelab_item* o, cachelab_item* r, uint64_t now) { (void)p, (void)o, (void)r, (void)now; }
static void on_remove(cachelab_policy* p, cachelab_item* it) { (void)p, (void)it; }
static cachelab_item* victim(cachelab_policy* p) { (void)p; return NULL; }
static const cachelab_policy_module table = {CACHELAB_POLICY_ABI_VERSION, sizeof(cachelab_policy_module), "refuses",
                                             create, destroy, on_insert, on_insert, on_update, on_remove, victim, NULL, NULL};
CACHELAB_MODULE_EXPORT const cachelab_policy_module* cachelab_policy_module_init(const cachelab_host_api* h) {
  (void)h;
  return &table;
}
