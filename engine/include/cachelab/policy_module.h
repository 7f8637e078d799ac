/* cachelab policy modules: an eviction policy in a shared object, loaded at run time.
 *
 * The same .so works in `cachelab serve --policy-module PATH [--policy-arg K=V ...]` and in a
 * scenario's `policy: {module: PATH, args: {K: V}}`. Plain C: nothing of C++ crosses this ABI.
 *
 * A module exports one symbol, CACHELAB_POLICY_MODULE_ENTRY ("cachelab_policy_module_init"):
 *
 *     CACHELAB_MODULE_EXPORT const cachelab_policy_module*
 *     cachelab_policy_module_init(const cachelab_host_api* host);
 *
 * The host calls it once after dlopen, passing its services as a table (so the module never links
 * against cachelab's symbols), and the module returns its table of callbacks, or NULL if it cannot
 * work with this host (e.g. host->abi_version is older than it needs). Both tables start with
 * abi_version and struct_size: a newer host or module may append fields, and each side reads only
 * the fields that the other's struct_size says are present.
 *
 * The policy's job: keep the items it is told about in some order and name a victim when asked.
 * It never allocates, frees or copies items; the host owns them. Each item offers the policy two
 * pointer-sized links and 24 bits of its own (get_link/set_link, get_bits/set_bits), enough to
 * build intrusive lists so that a policy allocates nothing per item.
 *
 * Threading: one policy instance belongs to one cache shard and is never called concurrently;
 * several instances of one module may run in parallel (one per shard), so a module keeps no
 * mutable global state.
 */
#ifndef CACHELAB_POLICY_MODULE_H
#define CACHELAB_POLICY_MODULE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CACHELAB_POLICY_ABI_VERSION 1u
#define CACHELAB_POLICY_MODULE_ENTRY "cachelab_policy_module_init"

/* Exports the entry point with C linkage and default visibility (modules may build with hidden). */
#ifdef __cplusplus
#define CACHELAB_MODULE_EXPORT extern "C" __attribute__((visibility("default")))
#else
#define CACHELAB_MODULE_EXPORT __attribute__((visibility("default")))
#endif

/* An item of the cache: opaque, owned by the host, valid from on_insert until on_remove returns. */
typedef struct cachelab_item cachelab_item;
/* A policy instance: opaque to the host, created by the module's create(). */
typedef struct cachelab_policy cachelab_policy;

/* Services the host offers. Every function is safe to call from any callback of the instance. */
typedef struct cachelab_host_api {
  uint32_t abi_version; /* CACHELAB_POLICY_ABI_VERSION of the host */
  uint32_t struct_size; /* sizeof(cachelab_host_api) as the host was built */

  /* The item's size in bytes: its value in the server, the object's size in the simulator. When
   * the cache counts objects (config->count_objects) each item counts 1 against the capacity. */
  uint64_t (*item_size)(const cachelab_item* item);
  /* Absolute expiry in the cache's ticks, 0 = never. Compare with the `now` given to callbacks. */
  uint64_t (*item_expiry)(const cachelab_item* item);
  /* The item's key bytes (not NUL-terminated) and their length. */
  const char* (*item_key)(const cachelab_item* item, size_t* length);
  /* The policy's two links per item (index 0 or 1), initially NULL. */
  cachelab_item* (*get_link)(const cachelab_item* item, int index);
  void (*set_link)(cachelab_item* item, int index, cachelab_item* value);
  /* 24 bits of policy state per item, initially 0 (higher bits are ignored). */
  uint32_t (*get_bits)(const cachelab_item* item);
  void (*set_bits)(cachelab_item* item, uint32_t bits);
  /* The time of the request being served, in the cache's ticks (config->ticks_per_second), the
   * same `now` the callbacks receive; for victim(), which has no parameter for it. Valid only
   * inside a callback. */
  uint64_t (*now)(void);
} cachelab_host_api;

/* One policy argument, from --policy-arg K=V or a scenario's args: both strings are NUL-terminated
 * and valid only during create(). */
typedef struct cachelab_policy_arg {
  const char* key;
  const char* value;
} cachelab_policy_arg;

/* What the instance is created for. */
typedef struct cachelab_policy_config {
  uint64_t capacity;    /* the shard's budget, in bytes or objects */
  int count_objects;    /* 1 when capacity counts objects */
  uint32_t ticks_per_second; /* the unit of `now` and of item_expiry */
} cachelab_policy_config;

typedef struct cachelab_policy_module {
  uint32_t abi_version; /* must be CACHELAB_POLICY_ABI_VERSION (or an older one the host supports) */
  uint32_t struct_size; /* sizeof(cachelab_policy_module) as the module was built */
  const char* name;     /* shown in stats and results; static storage */

  /* Creates an instance. On failure returns NULL and writes a one-line reason (NUL-terminated,
   * at most error_size bytes) into error, e.g. "segment=2 is not a fraction in (0, 1)". */
  cachelab_policy* (*create)(const cachelab_host_api* host, const cachelab_policy_config* config,
                             const cachelab_policy_arg* args, size_t arg_count, char* error,
                             size_t error_size);
  /* Frees the instance. The host has already removed (on_remove) every item. */
  void (*destroy)(cachelab_policy* policy);

  /* A new item entered the cache. */
  void (*on_insert)(cachelab_policy* policy, cachelab_item* item, uint64_t now);
  /* A read found the item. */
  void (*on_hit)(cachelab_policy* policy, cachelab_item* item, uint64_t now);
  /* `replacement` takes the place of `old` (an overwrite); they are the same item when only its
   * expiry changed. After this call the host frees `old` (if different) without on_remove. */
  void (*on_update)(cachelab_policy* policy, cachelab_item* old, cachelab_item* replacement, uint64_t now);
  /* The item leaves (deleted, expired, flushed; and evicted, when the module has no on_evict):
   * forget it now. */
  void (*on_remove)(cachelab_policy* policy, cachelab_item* item);
  /* Names the next item to evict, or NULL when the policy holds none. May reorder internal state
   * (e.g. a CLOCK hand moving); must not forget the item, and must not assume it will go: the
   * host then calls on_evict (or on_remove), or, with evictions disabled (-M), refuses the write
   * and keeps the item. */
  cachelab_item* (*victim)(cachelab_policy* policy);

  /* Optional (may be NULL): writes "name value" lines of the policy's own statistics. */
  void (*stats)(cachelab_policy* policy, char* buffer, size_t size);
  /* Optional (may be NULL, or absent when struct_size ends before it): the item leaves because
   * victim() named it and the host needed room. A policy that keeps history (ghosts) records it
   * here, and never has to guess which removal was an eviction. */
  void (*on_evict)(cachelab_policy* policy, cachelab_item* item);
} cachelab_policy_module;

typedef const cachelab_policy_module* (*cachelab_policy_module_entry)(const cachelab_host_api* host);

#ifdef __cplusplus
}
#endif

#endif /* CACHELAB_POLICY_MODULE_H */
