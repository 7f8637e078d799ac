#pragma once
// The rule both transports (Asio's Connection, UringWorker) apply to a connection's pending
// write: checked every kCheckPeriod, a write that has moved no byte for kLimit checks in a row
// is stalled, and the connection is closed, so that a client that stops reading its replies
// cannot hold its buffers and its connection slot for ever. The transport owns the clock (a
// per-connection timer, or the worker's tick) and calls stalled() on each check.
#include <chrono>
#include <cstdint>

namespace cachelab::server {

class WriteStallWatch {
 public:
  static constexpr auto kCheckPeriod = std::chrono::seconds(1);
  static constexpr int kLimit = 10;  // checks, i.e. seconds

  void begin() noexcept { writing_ = true; }
  void progressed() noexcept { ++progress_; }  // some bytes of the pending write went out
  void end() noexcept { writing_ = false; }
  bool writing() const noexcept { return writing_; }
  // The check period starts now (a timer armed for a new write).
  void mark() noexcept { seen_ = progress_; }

  // One check: true when the pending write has now moved nothing for kLimit checks in a row.
  bool stalled() noexcept {
    if (!writing_) {
      checks_ = 0;
      return false;
    }
    const bool moved = progress_ != seen_;
    seen_ = progress_;
    if (moved) {
      checks_ = 0;
      return false;
    }
    return ++checks_ >= kLimit;
  }

 private:
  bool writing_ = false;
  std::uint64_t progress_ = 0;
  std::uint64_t seen_ = 0;  // progress_ at the last check
  int checks_ = 0;          // checks in a row without progress
};

}  // namespace cachelab::server
