/* The FIFO list the test modules share, threaded through the host's two links per item. */
#ifndef CACHELAB_TEST_FIFO_LIST_H
#define CACHELAB_TEST_FIFO_LIST_H
#include <cachelab/policy_module.h>

static const cachelab_host_api* host;

typedef struct fifo_list {
  cachelab_item* head;
  cachelab_item* tail;
} fifo_list;

static void fifo_push_back(fifo_list* l, cachelab_item* it) {
  host->set_link(it, 0, l->tail);
  host->set_link(it, 1, NULL);
  if (l->tail) host->set_link(l->tail, 1, it); else l->head = it;
  l->tail = it;
}

static void fifo_unlink(fifo_list* l, cachelab_item* it) {
  cachelab_item* prev = host->get_link(it, 0);
  cachelab_item* next = host->get_link(it, 1);
  if (prev) host->set_link(prev, 1, next); else l->head = next;
  if (next) host->set_link(next, 0, prev); else l->tail = prev;
}
#endif
