/* A FIFO module whose victim() checks host->now() against the time of the request that needs the
 * room (given to it by the test through the inserted item's expiry): it names no victim when the
 * two differ, so the test sees an insert refused. */
#include <stdlib.h>

#include "fifo_list.h"

struct cachelab_policy {
  fifo_list list;
  uint64_t last_insert_now;
};

static cachelab_policy* create(const cachelab_host_api* h, const cachelab_policy_config* c,
                               const cachelab_policy_arg* a, size_t n, char* e, size_t s) {
  (void)h, (void)c, (void)a, (void)n, (void)e, (void)s;
  return calloc(1, sizeof(cachelab_policy));
}
static void destroy(cachelab_policy* p) { free(p); }
static void on_insert(cachelab_policy* p, cachelab_item* it, uint64_t now) {
  p->last_insert_now = now;
  fifo_push_back(&p->list, it);
}
static void on_hit(cachelab_policy* p, cachelab_item* it, uint64_t now) { (void)p, (void)it, (void)now; }
static void on_update(cachelab_policy* p, cachelab_item* old, cachelab_item* repl, uint64_t now) {
  (void)now;
  fifo_unlink(&p->list, old);
  fifo_push_back(&p->list, repl);
}
static void on_remove(cachelab_policy* p, cachelab_item* it) { fifo_unlink(&p->list, it); }
/* Requests in the test come at strictly increasing times: the request needing room is later than
 * the last insert. */
static cachelab_item* victim(cachelab_policy* p) { return host->now() > p->last_insert_now ? p->list.head : NULL; }

static const cachelab_policy_module table = {CACHELAB_POLICY_ABI_VERSION, sizeof(cachelab_policy_module), "now-probe",
                                             create, destroy, on_insert, on_hit, on_update, on_remove, victim, NULL, NULL};
CACHELAB_MODULE_EXPORT const cachelab_policy_module* cachelab_policy_module_init(const cachelab_host_api* h) {
  host = h;
  return &table;
}
