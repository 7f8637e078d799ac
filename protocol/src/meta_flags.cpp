#include "meta_flags.h"

#include "cachelab/protocol/base64.h"

namespace cachelab::protocol::detail {

std::optional<std::string_view> MetaFlags::parse(const std::vector<std::string_view>& tokens,
                                                 std::size_t first, const MetaFlagRules& rules) {
  for (std::size_t i = first; i < tokens.size(); ++i) {
    const std::string_view t = tokens[i];
    const char flag = t.front();
    // P and L are routing hints for proxies: accepted anywhere and ignored.
    if (flag == 'P' || flag == 'L') continue;
    const bool plain = rules.plain.find(flag) != std::string_view::npos && t.size() == 1;
    const bool tokened = rules.with_token.find(flag) != std::string_view::npos;
    if (!plain && !tokened) return rules.invalid_error;
    if (seen_[index(flag)]) return rules.duplicate_error;
    seen_[index(flag)] = true;
    tokens_[index(flag)] = t.substr(1);
    order_.push_back(flag);
  }
  if (has('O') && token('O').size() > 32) return "CLIENT_ERROR opaque token too long";
  return std::nullopt;
}

std::optional<std::string> meta_key(std::string_view token, bool base64) {
  if (!base64) {
    if (!valid_key(token)) return std::nullopt;
    return std::string(token);
  }
  auto decoded = base64_decode(token);
  if (!decoded || decoded->empty() || decoded->size() > kMaxKeyLength) return std::nullopt;
  return decoded;
}

std::int64_t ttl_of(Tick exptime, Tick now) noexcept {
  if (exptime == kNever) return -1;
  return exptime > now ? static_cast<std::int64_t>(exptime - now) : 0;
}

void append_return_flags(ReplyBuffer& out, const MetaFlags& flags, std::string_view returnable,
                         std::string_view key_token, const ItemView* item) {
  auto signed_number = [&out](std::int64_t v) {
    if (v < 0) {
      out.raw("-");
      out.number(static_cast<std::uint64_t>(-v));
    } else {
      out.number(static_cast<std::uint64_t>(v));
    }
  };
  for (char f : flags.order()) {
    if (returnable.find(f) == std::string_view::npos) continue;
    const bool needs_item = f == 'c' || f == 'f' || f == 'h' || f == 's' || f == 't';
    if (needs_item && !item) continue;
    out.raw(" ");
    out.raw(std::string_view(&f, 1));
    switch (f) {
      case 'c': out.number(item->cas); break;
      case 'f': out.number(item->flags); break;
      case 'h': out.number(item->hit_before ? 1 : 0); break;
      case 's': out.number(item->size); break;
      case 't': signed_number(item->ttl); break;
      case 'k': out.raw(key_token); break;
      case 'O': out.raw(flags.token('O')); break;
      default: break;
    }
  }
  // A key sent in base64 is echoed in base64, marked by a bare `b`.
  if (flags.has('b') && flags.has('k')) out.raw(" b");
}

}  // namespace cachelab::protocol::detail
