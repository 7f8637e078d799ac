#include "line_reader.h"

#include <cerrno>
#include <charconv>
#include <cstring>

#include "cachelab/sim/errors.h"

namespace cachelab::sim {

namespace {
constexpr std::size_t kBufferBytes = 1 << 20;
// A trace line is tens of bytes; a file with a longer one is refused instead of being held whole
// (a file without a single newline would otherwise be read into memory entirely).
constexpr std::size_t kMaxLineBytes = 16 << 20;
}

LineReader::LineReader(const std::string& path)
    : path_(path), source_(open_byte_source(path)), buffer_(kBufferBytes) {}

bool LineReader::refill() {
  if (eof_) return false;
  // Keep the unread tail (a partial line) at the front; grow only if one line fills the buffer.
  const std::size_t tail = end_ - begin_;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, tail);
    buffer_offset_ += begin_;
    begin_ = 0;
    end_ = tail;
  }
  if (end_ == buffer_.size()) {
    if (buffer_.size() >= kMaxLineBytes) {
      line_offset_ = buffer_offset_;
      ++line_number_;
      fail("line longer than " + std::to_string(kMaxLineBytes >> 20) + " MiB");
    }
    buffer_.resize(buffer_.size() * 2);
  }
  const std::size_t got = source_->read(buffer_.data() + end_, buffer_.size() - end_);
  if (got == 0) {
    eof_ = true;
    return false;
  }
  end_ += got;
  return true;
}

bool LineReader::next(std::string_view* line) {
  std::size_t scanned = begin_;
  for (;;) {
    const void* nl = std::memchr(buffer_.data() + scanned, '\n', end_ - scanned);
    if (nl) {
      const std::size_t stop = static_cast<std::size_t>(static_cast<const char*>(nl) - buffer_.data());
      std::size_t len = stop - begin_;
      if (len > 0 && buffer_[begin_ + len - 1] == '\r') --len;
      *line = std::string_view(buffer_.data() + begin_, len);
      line_offset_ = buffer_offset_ + begin_;
      ++line_number_;
      begin_ = stop + 1;
      return true;
    }
    const std::size_t unread_scanned = end_ - begin_;
    if (!refill()) break;
    scanned = begin_ + unread_scanned;
  }
  if (begin_ == end_) return false;
  // Last line without a newline.
  std::size_t len = end_ - begin_;
  if (buffer_[begin_ + len - 1] == '\r') --len;
  *line = std::string_view(buffer_.data() + begin_, len);
  line_offset_ = buffer_offset_ + begin_;
  ++line_number_;
  begin_ = end_;
  return true;
}

void LineReader::fail(const std::string& what) const {
  // A header read as data is the usual cause of a bad first line.
  const char* hint = line_number_ == 1 ? " (if the first line is a header, say header: true)" : "";
  throw InputError(source_->where(line_offset_) + " (line " +
                   std::to_string(line_number_) + "): " + what + hint);
}

namespace {
// Where the field at the start of `line` ends: at the first delimiter, or, for a field that opens
// with a quote, at the first delimiter after its closing quote (a doubled quote stays inside).
std::size_t field_end(std::string_view line, char delimiter) {
  std::size_t from = 0;
  if (!line.empty() && line.front() == '"') {
    std::size_t i = 1;
    while (i < line.size()) {
      if (line[i] != '"') {
        ++i;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        i += 2;
      } else {
        break;
      }
    }
    from = i;
  }
  return line.find(delimiter, from);
}
}  // namespace

std::size_t split_fields(std::string_view line, char delimiter, std::string_view* fields, std::size_t max_fields) {
  std::size_t n = 0;
  while (n + 1 < max_fields) {
    const std::size_t pos = field_end(line, delimiter);
    if (pos == std::string_view::npos) break;
    fields[n++] = line.substr(0, pos);
    line.remove_prefix(pos + 1);
  }
  fields[n++] = line;
  return n;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '"')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '"')) text.remove_suffix(1);
  return text;
}

bool parse_field_u64(std::string_view text, std::uint64_t* out) {
  text = trim(text);
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parse_field_i64(std::string_view text, std::int64_t* out) {
  text = trim(text);
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parse_field_double(std::string_view text, double* out) {
  text = trim(text);
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace cachelab::sim
