#include "shared_trace_feed.h"

#include <algorithm>
#include <stdexcept>

namespace cachelab::sim {

class SharedTraceFeed::Reader final : public TraceReader {
 public:
  explicit Reader(SharedTraceFeed& feed) : feed_(feed) {}
  ~Reader() override {
    if (chunk_) feed_.release(seq_);
    if (!done_) feed_.close_reader(chunk_ ? seq_ + 1 : seq_);
  }

  std::size_t read(std::span<Request> out) override {
    std::size_t n = 0;
    while (n < out.size() && !done_) {
      if (!chunk_) {
        chunk_ = feed_.acquire(seq_);
        at_ = 0;
        if (chunk_->requests.empty()) {  // the end: the feed counts this reader out
          feed_.release(seq_);
          chunk_ = nullptr;
          done_ = true;
          break;
        }
      }
      const std::size_t take = std::min(out.size() - n, chunk_->requests.size() - at_);
      std::copy_n(chunk_->requests.begin() + static_cast<std::ptrdiff_t>(at_), take, out.begin() + static_cast<std::ptrdiff_t>(n));
      n += take;
      at_ += take;
      if (at_ == chunk_->requests.size()) {
        feed_.release(seq_++);
        chunk_ = nullptr;
      }
    }
    return n;
  }

 private:
  SharedTraceFeed& feed_;
  const Chunk* chunk_ = nullptr;  // held (counted in readers_left) until passed
  std::uint64_t seq_ = 0;
  std::size_t at_ = 0;
  bool done_ = false;
};

SharedTraceFeed::SharedTraceFeed(std::unique_ptr<TraceReader> source, std::size_t readers)
    : source_(std::move(source)), readers_(readers) {}

std::unique_ptr<TraceReader> SharedTraceFeed::reader() { return std::make_unique<Reader>(*this); }

std::uint64_t SharedTraceFeed::chunks_decoded() const {
  std::lock_guard lock(mutex_);
  return decoded_;
}

const SharedTraceFeed::Chunk* SharedTraceFeed::acquire(std::uint64_t seq) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (error_ && seq >= error_seq_) std::rethrow_exception(error_);
    if (seq < first_seq_ + chunks_.size()) return &chunks_[seq - first_seq_];
    // seq is the next chunk to decode. Wait while another reader decodes, or while the window is
    // full (the slowest reader still holds the oldest chunk).
    if (decoding_ || chunks_.size() >= kWindow) {
      changed_.wait(lock);
      continue;
    }
    decoding_ = true;
    lock.unlock();
    Chunk chunk{{}, 0};
    std::exception_ptr error;
    if (!ended_) {
      try {
        chunk.requests.resize(kChunk);
        std::size_t n = 0;
        while (n < kChunk) {
          const std::size_t got = source_->read(std::span<Request>(chunk.requests).subspan(n));
          if (got == 0) break;
          n += got;
        }
        chunk.requests.resize(n);
      } catch (...) {
        error = std::current_exception();
      }
    }
    lock.lock();
    decoding_ = false;
    if (error) {
      error_ = error;
      error_seq_ = seq;
    } else {
      if (chunk.requests.empty()) ended_ = true;
      chunk.readers_left = readers_ - closed_;
      chunks_.push_back(std::move(chunk));
      ++decoded_;
    }
    changed_.notify_all();
  }
}

void SharedTraceFeed::release(std::uint64_t seq) {
  std::lock_guard lock(mutex_);
  Chunk& c = chunks_[seq - first_seq_];
  --c.readers_left;
  bool dropped = false;
  while (!chunks_.empty() && chunks_.front().readers_left == 0) {
    chunks_.pop_front();
    ++first_seq_;
    dropped = true;
  }
  if (dropped) changed_.notify_all();
}

// A reader that stops early (its replay ended: a duration or request limit, or an error) will
// not pass the chunks from `next_seq` on: count it out of them, now and as they come.
void SharedTraceFeed::close_reader(std::uint64_t next_seq) {
  std::lock_guard lock(mutex_);
  ++closed_;
  for (std::uint64_t s = std::max(next_seq, first_seq_); s < first_seq_ + chunks_.size(); ++s) --chunks_[s - first_seq_].readers_left;
  while (!chunks_.empty() && chunks_.front().readers_left == 0) {
    chunks_.pop_front();
    ++first_seq_;
  }
  changed_.notify_all();
}

}  // namespace cachelab::sim
