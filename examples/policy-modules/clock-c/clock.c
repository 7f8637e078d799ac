/* CLOCK as a cachelab policy module, in C.
 *
 * Items form a FIFO ring threaded through the two links the host gives every item (link 0 =
 * previous, link 1 = next), so the module allocates nothing per item. A hit sets the item's
 * reference bit; at eviction the hand gives referenced items a second chance (clears the bit and
 * moves them to the back) and names the first unreferenced one.
 *
 * Build: see CMakeLists.txt. Use: cachelab serve --policy-module ./clock.so
 */
#include <cachelab/policy_module.h>
#include <stdio.h>
#include <stdlib.h>

static const cachelab_host_api* host;

struct cachelab_policy {
  cachelab_item* head; /* oldest: where the hand is */
  cachelab_item* tail; /* newest */
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

static cachelab_policy* clock_create(const cachelab_host_api* h, const cachelab_policy_config* config,
                                     const cachelab_policy_arg* args, size_t n, char* error, size_t size) {
  (void)h;
  (void)config;
  (void)args;
  if (n > 0) {
    snprintf(error, size, "clock takes no arguments (got '%s')", args[0].key);
    return NULL;
  }
  return calloc(1, sizeof(cachelab_policy));
}

static void clock_destroy(cachelab_policy* p) { free(p); }

static void clock_on_insert(cachelab_policy* p, cachelab_item* it, uint64_t now) {
  (void)now;
  host->set_bits(it, 0);
  push_back(p, it);
}

static void clock_on_hit(cachelab_policy* p, cachelab_item* it, uint64_t now) {
  (void)p;
  (void)now;
  host->set_bits(it, 1);
}

static void clock_on_update(cachelab_policy* p, cachelab_item* old, cachelab_item* repl, uint64_t now) {
  (void)now;
  uint32_t referenced = host->get_bits(old);
  unlink_item(p, old);
  push_back(p, repl);
  host->set_bits(repl, referenced);
}

static void clock_on_remove(cachelab_policy* p, cachelab_item* it) { unlink_item(p, it); }

static cachelab_item* clock_victim(cachelab_policy* p) {
  while (p->head && host->get_bits(p->head)) {
    cachelab_item* it = p->head;
    host->set_bits(it, 0);
    unlink_item(p, it);
    push_back(p, it);
  }
  return p->head;
}

static const cachelab_policy_module module = {
    CACHELAB_POLICY_ABI_VERSION, sizeof(cachelab_policy_module), "clock-c",
    clock_create, clock_destroy, clock_on_insert, clock_on_hit, clock_on_update, clock_on_remove,
    clock_victim, NULL, NULL,
};

CACHELAB_MODULE_EXPORT const cachelab_policy_module* cachelab_policy_module_init(const cachelab_host_api* h) {
  if (h->abi_version < 1) return NULL;
  host = h;
  return &module;
}
