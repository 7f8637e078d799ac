#pragma once
// The reply writer: appends memcached replies to one output buffer, so that all the replies of a
// pipelined batch leave in one write. A value's bytes are copied once, from the item into here.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cachelab::protocol {

class ReplyBuffer {
 public:
  // Appends `text` and "\r\n".
  void line(std::string_view text) {
    out_.append(text);
    out_.append("\r\n", 2);
  }
  // "VALUE <key> <flags> <bytes>[ <cas>]\r\n<data>\r\n"
  void value(std::string_view key, std::uint32_t flags, std::string_view data, const std::uint64_t* cas);
  // "STAT <name> <value>\r\n"
  void stat(std::string_view name, std::string_view value);
  void stat(std::string_view name, std::uint64_t value);
  // Raw bytes, no terminator.
  void raw(std::string_view bytes) { out_.append(bytes); }
  void number(std::uint64_t n);

  // Marks a point to roll back to (a multi-get that fails half way sends only its error).
  std::size_t mark() const noexcept { return out_.size(); }
  void rollback(std::size_t mark) { out_.resize(mark); }

  std::string& bytes() noexcept { return out_; }
  const std::string& bytes() const noexcept { return out_; }
  std::size_t size() const noexcept { return out_.size(); }
  bool empty() const noexcept { return out_.empty(); }
  void clear() noexcept { out_.clear(); }
  // Empties the buffer and gives back its memory if a big reply grew it past `keep` bytes, so
  // that an idle connection does not hold on to the largest reply it ever sent.
  void reset(std::size_t keep) {
    out_.clear();
    if (out_.capacity() > keep) std::string().swap(out_);
  }

 private:
  std::string out_;
};

// The fixed reply lines of the text protocol.
namespace reply {
inline constexpr std::string_view kStored = "STORED";
inline constexpr std::string_view kNotStored = "NOT_STORED";
inline constexpr std::string_view kExists = "EXISTS";
inline constexpr std::string_view kNotFound = "NOT_FOUND";
inline constexpr std::string_view kDeleted = "DELETED";
inline constexpr std::string_view kTouched = "TOUCHED";
inline constexpr std::string_view kEnd = "END";
inline constexpr std::string_view kOk = "OK";
inline constexpr std::string_view kError = "ERROR";
inline constexpr std::string_view kBadFormat = "CLIENT_ERROR bad command line format";
inline constexpr std::string_view kBadDataChunk = "CLIENT_ERROR bad data chunk";
inline constexpr std::string_view kNonNumeric =
    "CLIENT_ERROR cannot increment or decrement non-numeric value";
inline constexpr std::string_view kInvalidDelta = "CLIENT_ERROR invalid numeric delta argument";
inline constexpr std::string_view kInvalidExptime = "CLIENT_ERROR invalid exptime argument";
inline constexpr std::string_view kTooLarge = "SERVER_ERROR object too large for cache";
inline constexpr std::string_view kNoMemory = "SERVER_ERROR out of memory storing object";
// incr/decr (and ma) that cannot make room for the new digits.
inline constexpr std::string_view kArithNoMemory = "SERVER_ERROR out of memory";
inline constexpr std::string_view kDeleteUsage =
    "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]";
inline constexpr std::string_view kLineTooLong = "CLIENT_ERROR line too long";
inline constexpr std::string_view kTooManyConnections = "ERROR Too many open connections";
}  // namespace reply

}  // namespace cachelab::protocol
