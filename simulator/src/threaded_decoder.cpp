#include "threaded_decoder.h"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "cachelab/sim/errors.h"
#include "decompressor.h"

namespace cachelab::sim {
namespace {

constexpr std::size_t kBufferBytes = 1 << 20;
constexpr std::size_t kBuffers = 8;  // in the queue or being filled: 8 MiB decoded at most
constexpr std::size_t kInputBytes = 1 << 20;

struct Buffer {
  std::vector<char> bytes = std::vector<char>(kBufferBytes);
  std::size_t size = 0;
};

class ThreadedDecoder final : public ByteSource {
 public:
  ThreadedDecoder(const std::string& path, std::FILE* file, std::string peeked, Compression compression)
      : ByteSource(path), file_(file), peeked_(std::move(peeked)), compression_(compression) {
    decompressor_ = compression == Compression::kZstd ? make_zstd_decompressor() : make_gzip_decompressor();
    for (auto& b : pool_) free_.push_back(&b);
    thread_ = std::thread([this] { decode_all(); });
  }
  ~ThreadedDecoder() override {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
    std::fclose(file_);
  }
  ThreadedDecoder(const ThreadedDecoder&) = delete;
  ThreadedDecoder& operator=(const ThreadedDecoder&) = delete;

  Compression compression() const noexcept override { return compression_; }

  // The rest of the current buffer, as it is: binary records are decoded in place.
  std::string_view borrow() override {
    while (!current_ || current_pos_ == current_->size)
      if (!next_buffer()) return {};
    const std::string_view view(current_->bytes.data() + current_pos_, current_->size - current_pos_);
    current_pos_ = current_->size;
    return view;
  }

  std::size_t read(char* out, std::size_t size) override {
    std::size_t n = 0;
    while (n < size) {
      if (!current_ || current_pos_ == current_->size) {
        if (!next_buffer()) break;
        continue;
      }
      const std::size_t take = std::min(size - n, current_->size - current_pos_);
      std::memcpy(out + n, current_->bytes.data() + current_pos_, take);
      current_pos_ += take;
      n += take;
    }
    return n;
  }

 private:
  // Reader side: gives the finished buffer back and waits for the next. False at the end.
  bool next_buffer() {
    std::unique_lock lock(mutex_);
    if (current_) {
      free_.push_back(current_);
      current_ = nullptr;
      changed_.notify_all();
    }
    changed_.wait(lock, [&] { return !ready_.empty() || finished_; });
    if (ready_.empty()) {
      if (!error_.empty()) throw InputError(error_);
      return false;
    }
    current_ = ready_.front();
    ready_.pop_front();
    current_pos_ = 0;
    return true;
  }

  // Decoder side: a free buffer to fill, or null when asked to stop.
  Buffer* take_free() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !free_.empty() || stop_; });
    if (stop_) return nullptr;
    Buffer* b = free_.front();
    free_.pop_front();
    b->size = 0;
    return b;
  }

  void publish(Buffer* b) {
    {
      std::lock_guard lock(mutex_);
      ready_.push_back(b);
    }
    changed_.notify_all();
  }

  void finish(std::string error) {
    {
      std::lock_guard lock(mutex_);
      finished_ = true;
      error_ = std::move(error);
    }
    changed_.notify_all();
  }

  void decode_all() {
    try {
      finish(decode());
    } catch (const std::exception& e) {
      finish(path() + ": " + e.what());
    }
  }

  // Returns the error message, empty at a clean end.
  std::string decode() {
    std::vector<char> input(kInputBytes);
    std::size_t in_pos = 0, in_len = peeked_.size();
    std::memcpy(input.data(), peeked_.data(), in_len);
    std::uint64_t consumed = 0;  // compressed bytes before input[in_pos]
    bool eof = false;
    const char* kind = compression_ == Compression::kZstd ? "zstd" : "gzip";
    Buffer* out = take_free();
    while (out) {
      if (in_pos == in_len && !eof) {
        in_pos = 0;
        in_len = std::fread(input.data(), 1, input.size(), file_);
        if (in_len == 0) {
          if (std::ferror(file_)) return path() + ": read error: " + std::strerror(errno);
          eof = true;
        }
      }
      std::size_t used = 0, made = 0;
      std::string error = decompressor_->step(input.data() + in_pos, in_len - in_pos, &used,
                                              out->bytes.data() + out->size, kBufferBytes - out->size, &made);
      in_pos += used;
      consumed += used;
      out->size += made;
      if (!error.empty()) {
        if (out->size > 0) publish(out);
        return path() + ": byte offset " + std::to_string(consumed) + ": corrupt " + kind + " data (" + error + ")";
      }
      const bool drained = eof && in_pos == in_len && made == 0;
      if (out->size == kBufferBytes || (drained && out->size > 0)) {
        publish(out);
        out = drained ? nullptr : take_free();
        if (drained) break;
        continue;
      }
      if (drained) break;
    }
    if (!out && !eof) return {};  // stopped by the reader going away
    if (!decompressor_->at_frame_end())
      return path() + ": byte offset " + std::to_string(consumed) + ": truncated " + kind +
             " data (the file ends inside a compressed frame)";
    return {};
  }

  std::FILE* file_;
  std::string peeked_;
  Compression compression_;
  std::unique_ptr<Decompressor> decompressor_;
  Buffer pool_[kBuffers];

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Buffer*> free_;   // guarded by mutex_
  std::deque<Buffer*> ready_;  // guarded by mutex_, in stream order
  bool finished_ = false;      // guarded by mutex_
  bool stop_ = false;          // guarded by mutex_
  std::string error_;          // guarded by mutex_
  std::thread thread_;

  Buffer* current_ = nullptr;  // reader side only
  std::size_t current_pos_ = 0;
};

}  // namespace

std::unique_ptr<ByteSource> make_threaded_decoder(const std::string& path, std::FILE* file, std::string peeked,
                                                  Compression compression) {
  return std::make_unique<ThreadedDecoder>(path, file, std::move(peeked), compression);
}

}  // namespace cachelab::sim
