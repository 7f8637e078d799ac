#include "meta_flags.h"

#include <array>

#include "cachelab/protocol/base64.h"

namespace cachelab::protocol::detail {
namespace {

constexpr std::string_view kBadToken = "CLIENT_ERROR bad token in command line format";

}  // namespace

std::optional<std::string_view> parse_meta_flags(const std::vector<std::string_view>& tokens,
                                                 std::size_t first, MetaRequest& m) {
  m.flags = std::span<const std::string_view>(tokens).subspan(std::min(first, tokens.size()));
  m.key.assign(tokens[1]);
  std::array<bool, 128> seen{};
  std::optional<std::string_view> error;
  for (std::string_view t : m.flags) {
    const auto o = static_cast<unsigned char>(t.front());
    if (o >= 127 || seen[o]) return "CLIENT_ERROR duplicate flag";
    seen[o] = true;
    const std::string_view arg = t.substr(1);
    switch (o) {
      case 'b': {
        auto decoded = base64_decode(tokens[1]);
        if (!decoded || decoded->empty()) error = "CLIENT_ERROR error decoding key";
        else m.key = std::move(*decoded);
        m.key_binary = true;
        break;
      }
      case 'N':
        m.vivify = true;
        if (!parse_i32(arg, &m.vivify_ttl)) error = kBadToken;
        break;
      case 'T':
        if (!parse_i32(arg, &m.ttl)) error = kBadToken;
        else m.new_ttl = true;
        break;
      case 'R':
        if (!parse_i32(arg, &m.recache_ttl)) error = kBadToken;
        break;
      case 'l': case 'h':
      case 'O': case 'P': case 'L': case 'k': case 's': case 't': case 'c': case 'f':
        break;
      case 'v': m.value = true; break;
      case 'u': m.no_update = true; break;
      case 'q': m.no_reply = true; break;
      case 'F':
        if (!parse_u32(arg, &m.client_flags)) error = reply::kBadFormat;
        break;
      case 'C':
        if (!parse_u64_token(arg, &m.cas)) error = kBadToken;
        else m.has_cas = true;
        break;
      case 'M':
        if (t.size() != 2) error = "CLIENT_ERROR incorrect length for M token";
        else m.mode = t[1];
        break;
      case 'J':
        if (!parse_u64_token(arg, &m.initial)) error = "CLIENT_ERROR invalid numeric initial value";
        break;
      case 'D':
        if (!parse_u64_token(arg, &m.delta)) error = "CLIENT_ERROR invalid numeric delta value";
        break;
      case 'I': m.set_stale = true; break;
      default: return "CLIENT_ERROR invalid flag";
    }
  }
  return error;
}

void append_meta_key(ReplyBuffer& out, std::string_view key, bool binary) {
  out.raw(" k");
  if (!binary) {
    out.raw(key);
    return;
  }
  out.raw(base64_encode(key));
  out.raw(" b");
}

std::int64_t ttl_of(Tick exptime, Tick now) noexcept {
  if (exptime == kNever) return -1;
  return static_cast<std::int64_t>(exptime) - static_cast<std::int64_t>(now);
}

void append_signed(ReplyBuffer& out, std::int64_t v) {
  if (v < 0) {
    out.raw("-");
    out.number(static_cast<std::uint64_t>(-v));
  } else {
    out.number(static_cast<std::uint64_t>(v));
  }
}

}  // namespace cachelab::protocol::detail
