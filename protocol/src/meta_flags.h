#pragma once
// The flags of the meta commands (mg ms md ma me): parsed once per request, in request order,
// so that the flags a reply echoes come back in the order they were asked for.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "handlers.h"

namespace cachelab::protocol::detail {

struct MetaFlagRules {
  std::string_view plain;       // flags without a token, e.g. "bcfhkqstuv"
  std::string_view with_token;  // flags that carry a token, e.g. "OTC"
  std::string_view invalid_error;  // memcached words this differently per command
  std::string_view duplicate_error;
};

class MetaFlags {
 public:
  // Parses tokens[first..]; returns the error line to send, or nullopt.
  std::optional<std::string_view> parse(const std::vector<std::string_view>& tokens, std::size_t first,
                                        const MetaFlagRules& rules);
  bool has(char flag) const noexcept { return seen_[index(flag)]; }
  std::string_view token(char flag) const noexcept { return tokens_[index(flag)]; }
  const std::string& order() const noexcept { return order_; }

 private:
  static std::size_t index(char c) noexcept { return static_cast<unsigned char>(c) & 0x7f; }
  std::array<bool, 128> seen_{};
  std::array<std::string_view, 128> tokens_{};
  std::string order_;
};

// The key of a meta command: the token itself, or its base64 decoding with the `b` flag.
// Returns nullopt when it is not a valid key.
std::optional<std::string> meta_key(std::string_view token, bool base64);

// What a reply may echo about an item.
struct ItemView {
  std::uint64_t cas = 0;
  std::uint32_t flags = 0;
  std::int64_t ttl = -1;  // seconds left, -1 = never expires
  std::size_t size = 0;
  bool hit_before = false;
};

// Appends " <flag><value>" for each flag in `returnable` that the request asked for, in its
// order: c f h k O s t b (as they apply), as memcached does.
void append_return_flags(ReplyBuffer& out, const MetaFlags& flags, std::string_view returnable,
                         std::string_view key_token, const ItemView* item);

std::int64_t ttl_of(Tick exptime, Tick now) noexcept;

}  // namespace cachelab::protocol::detail
