#pragma once
// One decode of a trace for several replays at once: the cells of a sweep that read the same trace
// run side by side, and the first to need the next chunk of requests decodes it for all. A chunk
// is dropped once every reader has passed it; a reader that gets kWindow chunks ahead of the
// slowest waits, so memory stays at kWindow chunks whatever the trace's size. Every reader must
// be read to its end (or closed by its destructor) on a thread of its own, all at the same time:
// a reader that is not read holds the others back at the window.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <vector>

#include "cachelab/sim/trace_reader.h"

namespace cachelab::sim {

class SharedTraceFeed {
 public:
  static constexpr std::size_t kChunk = 1 << 16;  // requests
  static constexpr std::size_t kWindow = 16;      // chunks held at most (64 MiB of requests)

  SharedTraceFeed(std::unique_ptr<TraceReader> source, std::size_t readers);
  // One of the `readers` readers: take exactly that many, one per replay.
  std::unique_ptr<TraceReader> reader();
  std::uint64_t chunks_decoded() const;

 private:
  class Reader;
  struct Chunk {
    std::vector<Request> requests;  // empty: the end of the trace
    std::size_t readers_left;
  };

  // The chunk with sequence number `seq`, decoding it if this reader is the first to need it.
  // Null when the reader has closed. Rethrows the decode's error to every reader that reaches it.
  const Chunk* acquire(std::uint64_t seq);
  // This reader is done with chunk `seq`.
  void release(std::uint64_t seq);
  void close_reader(std::uint64_t next_seq);

  std::unique_ptr<TraceReader> source_;
  const std::size_t readers_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Chunk> chunks_;  // chunks_[0] has sequence number first_seq_
  std::uint64_t first_seq_ = 0;
  bool decoding_ = false;
  bool ended_ = false;
  std::exception_ptr error_;
  std::uint64_t error_seq_ = 0;
  std::uint64_t decoded_ = 0;
  std::size_t closed_ = 0;  // readers that stopped before the end: not counted in later chunks
};

}  // namespace cachelab::sim
