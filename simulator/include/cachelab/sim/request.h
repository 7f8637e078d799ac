#pragma once
// One request of a workload, as every source (trace reader or synthetic generator) hands it to the
// replay: what happened, to which object, when.
#include <cstdint>

namespace cachelab::sim {

enum class RequestOp : std::uint8_t {
  kRead,    // the application reads: cache lookup, demand-fill from the origin on a miss
  kWrite,   // the application writes the origin (the invalidation mode says what the cache sees)
  kDelete,  // the application deletes at the origin: a write the copy cannot follow (update-on-write
            // deletes the copy; ttl-only leaves it to be served stale until it expires)
};

// Marks "the source gives no TTL for this request" (a scenario default applies).
inline constexpr std::int64_t kTtlUnset = -1;

struct Request {
  std::uint64_t time_ms = 0;  // virtual time in ms; only differences matter (the replay rebases)
  std::uint64_t key = 0;      // 64-bit object id (string keys are hashed)
  std::uint32_t size = 0;     // object size in bytes
  RequestOp op = RequestOp::kRead;
  std::int64_t ttl_ms = kTtlUnset;  // 0 = no expiry, kTtlUnset = not given
  // Index of this key's next request, as oracleGeneral traces record it (UINT64_MAX = never or
  // unknown): only the offline optimum (belady) uses it.
  std::uint64_t next_access = UINT64_MAX;
  // Which synthetic class issued it (its index in the scenario; 0 for traces): the replay keeps
  // counts per class, so that `cachelab ttl` can judge each class's TTL on its own reads.
  std::uint16_t source = 0;
  // The key's point on a ketama ring, when the source has the key's text and was asked for it
  // (TraceSpec::key_points): where a real client would send it. Without it a cluster places the
  // key by its id's decimal text.
  bool has_key_point = false;
  std::uint32_t key_point = 0;
  // The tenant (application, namespace) the trace names for the request: lcs v2 and later carry
  // one; 0 for every other source. Kept through `trace convert`, counted by `trace info`.
  std::uint32_t tenant = 0;
};

}  // namespace cachelab::sim
