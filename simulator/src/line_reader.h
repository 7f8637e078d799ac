#pragma once
// Buffered line-by-line reading of a text file in constant memory, keeping the byte offset of each
// line so that errors can point at it. Shared by the text readers (csv, twitter, cachelib). A
// compressed file is read through its decoder (byte_source.h); offsets then count decompressed bytes.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "byte_source.h"
#include "cachelab/sim/trace_reader.h"

namespace cachelab::sim {

class LineReader {
 public:
  explicit LineReader(const std::string& path);
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its end-of-line (\n or \r\n); false at the end of the file.
  bool next(std::string_view* line);
  // Byte offset of the line last returned, and its 1-based number.
  std::uint64_t line_offset() const noexcept { return line_offset_; }
  std::uint64_t line_number() const noexcept { return line_number_; }
  const std::string& path() const noexcept { return path_; }

  // Throws InputError "PATH: byte offset N (line L): what".
  [[noreturn]] void fail(const std::string& what) const;

 private:
  bool refill();

  std::string path_;
  std::unique_ptr<ByteSource> source_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // first unread byte in buffer_
  std::size_t end_ = 0;    // one past the last valid byte
  bool eof_ = false;
  std::uint64_t buffer_offset_ = 0;  // file offset of buffer_[0]
  std::uint64_t line_offset_ = 0;
  std::uint64_t line_number_ = 0;
};

// A trace with one request per text line (csv, twitter): the subclass parses one line.
class TextTraceReader : public TraceReader {
 public:
  explicit TextTraceReader(const std::string& path) : lines_(path) {}
  std::size_t read(std::span<Request> out) final {
    std::size_t n = 0;
    std::string_view line;
    while (n < out.size() && lines_.next(&line)) {
      if (line.empty()) continue;
      parse(line, out[n++]);
    }
    return n;
  }

 protected:
  virtual void parse(std::string_view line, Request& r) = 0;
  LineReader lines_;
};

// Splits a line on `delimiter` into at most `max_fields` views (the rest stays in the last one).
// A field that opens with a quote runs to its closing quote, as csv quotes it, so a quoted key may
// hold the delimiter (the view keeps the quotes; trim() drops them). Returns the number of fields.
std::size_t split_fields(std::string_view line, char delimiter, std::string_view* fields, std::size_t max_fields);

// Strict decimal parsers for trace fields (no sign for unsigned, no trailing junk; spaces trimmed).
bool parse_field_u64(std::string_view text, std::uint64_t* out);
bool parse_field_i64(std::string_view text, std::int64_t* out);
bool parse_field_double(std::string_view text, double* out);
std::string_view trim(std::string_view text);

}  // namespace cachelab::sim
