#pragma once
// Where `serve --trace-out` records live traffic: one call per key a command touched, on the
// request path. An implementation must never block for long nor grow without bound: it queues,
// and drops (and counts) what does not fit (server/src/trace_recorder.h).
//
// What is recorded is what the cache saw, so that a replay of it (`replay: commands`) does to a
// simulated cache what the clients did to this one:
//   get     every key a get/gets/gat/gats/mg asked for; size = key + value bytes on a hit, 0 on a
//           miss (the miss stores nothing; the client's following set carries the size)
//   set     every store that succeeded (set add replace append prepend cas incr decr ms), with
//           the item's resulting key + value bytes and TTL in seconds (0 = none)
//   delete  every delete/md, and a store whose exptime had already passed (memcached drops it)
#include <cstdint>
#include <string_view>

namespace cachelab::protocol {

enum class TraceOp : std::uint8_t { kGet, kSet, kDelete };

class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void record(TraceOp op, std::string_view key, std::uint64_t size, std::int64_t ttl_s) noexcept = 0;
  virtual std::uint64_t recorded() const noexcept = 0;  // queued for the file
  virtual std::uint64_t dropped() const noexcept = 0;   // lost: the queue was full, or the file failed
};

}  // namespace cachelab::protocol
