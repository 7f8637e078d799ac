#pragma once
// Warm restart: every live item (key, value, flags, CAS, absolute expiry) written to one file
// atomically (temp file, fsync, rename), checksummed, and loaded back at start.
//
// File layout (native little-endian): "CLSNAP01", then per item
//   u32 key_len, u32 value_len, u32 flags, u64 cas, i64 expiry (unix seconds, 0 = never), key, value
// then a u32 0 (no key is empty), u64 item count, and u64 XXH3 of every byte before it.
#include <cstddef>
#include <string>

#include "cachelab/protocol/clock.h"
#include "cachelab/sharded_store.h"

namespace cachelab::server {

// Returns the number of items written; throws std::runtime_error on an I/O error.
std::size_t save_snapshot(const std::string& path, ShardedStore& store, const protocol::ExpiryClock& clock);

struct SnapshotLoad {
  bool found = false;     // false: no file (a cold start, not an error)
  std::size_t items = 0;  // items restored (expired ones are skipped)
  std::string error;      // non-empty: the file is corrupt or unreadable; nothing was loaded
};
SnapshotLoad load_snapshot(const std::string& path, ShardedStore& store, const protocol::ExpiryClock& clock);

}  // namespace cachelab::server
