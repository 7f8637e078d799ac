#pragma once
// The incremental request parser: bytes in, requests out, no sockets. The caller keeps the bytes
// that have arrived; parse() looks at them from the front, and either needs more, or yields one
// request and says how many bytes it used. A request may be split anywhere across reads, and one
// read may hold many requests: the caller calls parse() again on what is left.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cachelab/protocol/request.h"

namespace cachelab::protocol {

struct ParserLimits {
  // Longest command line held at once. A longer get/gets/gat/gats is answered in pieces of
  // whole keys; any other longer line is refused.
  std::size_t max_line = 64 * 1024;
  // Largest data block read into memory; a bigger one is swallowed (memcached's -I).
  std::size_t max_item_size = 1024 * 1024;
};

enum class ParseStatus {
  kNeedMore,     // nothing complete yet; `consumed` may still be > 0 (swallowed bytes)
  kRequest,      // `request` holds one request; drop `consumed` bytes after executing it
  kLineTooLong,  // a line passed max_line without a newline: the stream cannot be resynced
};

class RequestParser {
 public:
  // A get/gets/gat/gats of more keys is handed out in pieces of this many (see cut_multi_get).
  static constexpr std::size_t kKeysPerPiece = 32;

  explicit RequestParser(ParserLimits limits = {}) : limits_(limits) {}

  ParseStatus parse(std::string_view input, Request& request, std::size_t& consumed);

  // Bytes the caller must be able to hold at once for any acceptable request.
  std::size_t max_request_bytes() const noexcept { return limits_.max_line + limits_.max_item_size + 2; }
  // True while the data block of a refused (too large) value is being dropped.
  bool swallowing() const noexcept { return swallow_ > 0; }

 private:
  ParseStatus parse_line(std::string_view line, std::size_t line_bytes, std::string_view input,
                         Request& request, std::size_t& consumed);
  ParseStatus parse_long_get(std::string_view input, Request& request, std::size_t& consumed);
  void cut_multi_get(std::string_view input, Request& request, std::size_t& consumed);
  void begin_continued(Request& request) const;
  void parse_storage_header(Request& request) const;
  void parse_meta_set_header(Request& request) const;

  ParserLimits limits_;
  std::uint64_t swallow_ = 0;  // data bytes (incl. \r\n) still to drop
  // How many bytes at the front of the next input are known to hold no newline: the caller drops
  // exactly `consumed` bytes and keeps the rest, so what was scanned need not be scanned again.
  std::size_t no_newline_ = 0;
  CommandId continued_get_ = CommandId::kUnknown;  // a multi-key read whose line goes on
  std::string continued_exptime_;                   // and, for gat/gats, its exptime token
  struct Refused {             // the too-large request, answered once its block is dropped
    CommandId command = CommandId::kUnknown;
    bool noreply = false;
    std::string key;
  } refused_;
};

}  // namespace cachelab::protocol
