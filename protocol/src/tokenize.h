#pragma once
// memcached's tokenizer, shared by the request parser and the -Y gate.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace cachelab::protocol::detail {

// Splits on spaces as memcached does (a tab is part of a token), until `tokens` holds `limit`.
inline void tokenize(std::string_view line, std::vector<std::string_view>& tokens, std::size_t limit = SIZE_MAX) {
  std::size_t i = 0;
  while (i < line.size() && tokens.size() < limit) {
    while (i < line.size() && line[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) tokens.push_back(line.substr(start, i - start));
  }
}

}  // namespace cachelab::protocol::detail
