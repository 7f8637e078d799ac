"""Differential test under eviction: `cachelab serve` and Debian's memcached 1.6.18 both with `-m 2`
(and -I 1m, -t 2), the same seeded stream of requests (40,000 by default, 4 clients), so that both
evict all the time, and each at its own moments.

    python3 test_memcached_differential_evict.py PATH_TO_cachelab [--seed N] [--count N] [--report FILE]
    python3 test_memcached_differential_evict.py --self     # memcached against memcached

Which items are present differs between the servers from the first eviction on, so only what
eviction cannot change is compared (differential.compare_evict):
- the workload is 3,000 keys of 200-6,000 byte values (~9 MB for 2 MB of memory) with set, get,
  gets, delete, touch, incr/decr on counters, mg (v k f s t O), ms (F k O T s), md (k O),
  ma (D k M O v), bad input, version, verbosity, mn; no add/append/prepend/cas/vivify, whose
  results depend on what is present, and no CAS comparison (the CAS a server shows depends on what
  it stored);
- errors (ERROR, CLIENT_ERROR ..., SERVER_ERROR object too large) must be the same bytes;
- a store answers STORED / HD on both, except that `SERVER_ERROR out of memory storing object`
  counts as a store (memcached's slab allocator may refuse where cachelab evicts);
- get/gets: a key either server misses is not compared, but a key both return must have the same
  flags and value, and the reply must end the same way;
- delete/touch: DELETED/TOUCHED and NOT_FOUND are equivalent; incr/decr: a number and NOT_FOUND
  are equivalent, two numbers must be equal;
- mg/ms/md/ma: HD/VA against EN/NF/NS is accepted; two hits are compared as in the main mode
  (times within 1 s).
At the end both servers must report evictions (`stats`), or the mode tested nothing.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_memcached_differential as T  # noqa: E402

if __name__ == "__main__":
    sys.exit(T.main(evict=True))
