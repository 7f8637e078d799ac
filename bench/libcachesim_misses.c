/* Exact miss counts from libCacheSim itself (its cachesim prints 4 decimals of the ratio only):
 * replays an oracleGeneral trace through one of its policies, counting objects (every object
 * size 1, as cachesim --ignore-obj-size 1), and prints `requests misses`. Built against a
 * libCacheSim build by bench/long_span_vs_libcachesim.py; not part of cachelab's build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libCacheSim.h"

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s TRACE.oracleGeneral lru|fifo CAPACITY_OBJECTS\n", argv[0]);
    return 2;
  }
  reader_t *reader = open_trace(argv[1], ORACLE_GENERAL_TRACE, NULL);
  common_cache_params_t params = default_common_cache_params();
  params.cache_size = strtoull(argv[3], NULL, 10);
  cache_t *cache = strcmp(argv[2], "lru") == 0 ? LRU_init(params, NULL) : FIFO_init(params, NULL);
  request_t *req = new_request();
  unsigned long long requests = 0, misses = 0;
  while (read_one_req(reader, req) == 0) {
    req->obj_size = 1;
    ++requests;
    if (!cache->get(cache, req)) ++misses;
  }
  printf("%llu %llu\n", requests, misses);
  free_request(req);
  cache->cache_free(cache);
  close_trace(reader);
  return 0;
}
