// libFuzzer target: the warm-restart snapshot loader. The first input byte decides whether the
// rest is the file as is (odd: the checksum must catch it), or the body of a file that the
// harness completes with a magic (version 1 or 2, by the next bit) and a correct checksum
// (even), so that the record parser behind the checksum is reached. Checked: no crash or sanitizer report, and a refused file
// leaves the store empty ("nothing was loaded").
#include <cstddef>
#include <cstdint>
#include <string>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "cachelab/protocol/clock.h"
#include "cachelab/sharded_store.h"
#include "fuzz_input_file.h"
#include "snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string file;
  if (data[0] & 1) {
    file.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  } else {
    file = (data[0] & 2) ? "CLSNAP02" : "CLSNAP01";  // both versions' record parsers
    file.append(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::uint64_t sum = XXH3_64bits(file.data(), file.size());
    file.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  }
  static cachelab::fuzz::InputFile input;
  const std::string& path = input.write(reinterpret_cast<const std::uint8_t*>(file.data()), file.size());
  cachelab::protocol::ManualClock clock(1'700'000'000);
  cachelab::protocol::ExpiryClock expiry(clock);
  cachelab::ShardedStore store("lru",
                               cachelab::StoreConfig{.capacity = 64 * 1024,
                                                     .overhead_bytes = cachelab::kItemOverheadBytes,
                                                     .max_item_size = 4096},
                               {}, 2);
  const cachelab::server::SnapshotLoad load = cachelab::server::load_snapshot(path, store, expiry);
  if (!load.found) __builtin_trap();  // the file exists
  if (!load.error.empty() && store.stats().curr_items != 0) __builtin_trap();
  if (load.error.empty() && store.stats().curr_items > load.items) __builtin_trap();
  return 0;
}
