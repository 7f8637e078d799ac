#include "cachelab/protocol/reply.h"

#include <charconv>

namespace cachelab::protocol {

void ReplyBuffer::number(std::uint64_t n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out_.append(digits, static_cast<std::size_t>(end - digits));
}

void ReplyBuffer::value(std::string_view key, std::uint32_t flags, std::string_view data,
                        const std::uint64_t* cas) {
  out_.reserve(out_.size() + key.size() + data.size() + 64);
  out_.append("VALUE ", 6);
  out_.append(key);
  out_.push_back(' ');
  number(flags);
  out_.push_back(' ');
  number(data.size());
  if (cas) {
    out_.push_back(' ');
    number(*cas);
  }
  out_.append("\r\n", 2);
  out_.append(data);
  out_.append("\r\n", 2);
}

void ReplyBuffer::stat(std::string_view name, std::string_view value) {
  out_.append("STAT ", 5);
  out_.append(name);
  out_.push_back(' ');
  out_.append(value);
  out_.append("\r\n", 2);
}

void ReplyBuffer::stat(std::string_view name, std::uint64_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  stat(name, std::string_view(digits, static_cast<std::size_t>(end - digits)));
}

}  // namespace cachelab::protocol
