/* A FIFO module whose victim() checks host->now() against the time of the request that needs the
 * room (given to it by the test through the inserted item's expiry): it names no victim when the
 * two differ, so the test sees an insert refused. */
#include <cachelab/policy_module.h>
#include <stdlib.h>

static const cachelab_host_api* host;
struct cachelab_policy {
  cachelab_item* head;
  cachelab_item* tail;
  uint64_t last_insert_now;
};
static void push_back(cachelab_policy* p, cachelab_item* it) {
  host->set_link(it, 0, p->tail);
  host->set_link(it, 1, NULL);
  if (p->tail) host->set_link(p->tail, 1, it); else p->head = it;
  p->tail = it;
}
static void unlink_item(cachelab_policy* p, cachelab_item* it) {
  cachelab_item* prev = host->get_link(it, 0);
  cachelab_item* next = host->get_link(it, 1);
  if (prev) host->set_link(prev, 1, next); else p->head = next;
  if (next) host->set_link(next, 0, prev); else p->tail = prev;
}
static cachelab_policy* create(const cachelab_host_api* h, const cachelab_policy_config* c,
                               const cachelab_policy_arg* a, size_t n, char* e, size_t s) {
  (void)h, (void)c, (void)a, (void)n, (void)e, (void)s;
  return calloc(1, sizeof(cachelab_policy));
}
static void destroy(cachelab_policy* p) { free(p); }
static void on_insert(cachelab_policy* p, cachelab_item* it, uint64_t now) {
  p->last_insert_now = now;
  push_back(p, it);
}
static void on_hit(cachelab_policy* p, cachelab_item* it, uint64_t now) { (void)p, (void)it, (void)now; }
static void on_update(cachelab_policy* p, cachelab_item* old, cachelab_item* repl, uint64_t now) {
  (void)now;
  unlink_item(p, old);
  push_back(p, repl);
}
static void on_remove(cachelab_policy* p, cachelab_item* it) { unlink_item(p, it); }
/* Requests in the test come at strictly increasing times: the request needing room is later than
 * the last insert. */
static cachelab_item* victim(cachelab_policy* p) { return host->now() > p->last_insert_now ? p->head : NULL; }

static const cachelab_policy_module table = {CACHELAB_POLICY_ABI_VERSION, sizeof(cachelab_policy_module), "now-probe",
                                             create, destroy, on_insert, on_hit, on_update, on_remove, victim, NULL};
CACHELAB_MODULE_EXPORT const cachelab_policy_module* cachelab_policy_module_init(const cachelab_host_api* h) {
  host = h;
  return &table;
}
