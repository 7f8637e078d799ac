/* A FIFO policy module: the test that a module gives exactly the built-in fifo's results, and
 * (through its counters) that the host tells it an eviction from any other removal. */
#include <stdio.h>
#include <stdlib.h>

#include "fifo_list.h"

struct cachelab_policy {
  fifo_list list;
  unsigned long long resident, evicted, removed;
};

static cachelab_policy* create(const cachelab_host_api* h, const cachelab_policy_config* c,
                               const cachelab_policy_arg* a, size_t n, char* e, size_t s) {
  (void)h, (void)c, (void)a, (void)n, (void)e, (void)s;
  return calloc(1, sizeof(cachelab_policy));
}
static void destroy(cachelab_policy* p) { free(p); }
static void on_insert(cachelab_policy* p, cachelab_item* it, uint64_t now) {
  (void)now;
  fifo_push_back(&p->list, it);
  ++p->resident;
}
static void on_hit(cachelab_policy* p, cachelab_item* it, uint64_t now) { (void)p, (void)it, (void)now; }
static void on_update(cachelab_policy* p, cachelab_item* old, cachelab_item* repl, uint64_t now) {
  (void)now;
  fifo_unlink(&p->list, old);
  fifo_push_back(&p->list, repl);
}
static void on_remove(cachelab_policy* p, cachelab_item* it) {
  fifo_unlink(&p->list, it);
  --p->resident;
  ++p->removed;
}
static void on_evict(cachelab_policy* p, cachelab_item* it) {
  fifo_unlink(&p->list, it);
  --p->resident;
  ++p->evicted;
}
static cachelab_item* victim(cachelab_policy* p) { return p->list.head; }
static void stats(cachelab_policy* p, char* buffer, size_t size) {
  snprintf(buffer, size, "resident %llu\nevicted %llu\nremoved %llu\n", p->resident, p->evicted, p->removed);
}

static const cachelab_policy_module table = {CACHELAB_POLICY_ABI_VERSION, sizeof(cachelab_policy_module), "fifo-module",
                                             create, destroy, on_insert, on_hit, on_update, on_remove, victim, stats,
                                             on_evict};
CACHELAB_MODULE_EXPORT const cachelab_policy_module* cachelab_policy_module_init(const cachelab_host_api* h) {
  host = h;
  return &table;
}
