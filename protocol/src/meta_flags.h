#pragma once
// The flags of the meta commands (mg ms md ma), read as memcached 1.6.18's _meta_flag_preparse
// reads them: one flag set shared by every meta command (a flag that means nothing to a command
// is accepted and ignored, as memcached does), each flag at most once, only its first character
// significant (`vfoo` is `v`), numbers read as memcached's safe_strto* read them. What a reply
// echoes (O k c t s f h l) is then written in request order by the command itself.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "handlers.h"

namespace cachelab::protocol::detail {

struct MetaRequest {
  std::span<const std::string_view> flags;  // the flag tokens as sent, in order
  std::string key;                          // decoded with `b`
  bool key_binary = false;                  // b: the key went base64 and is echoed so
  bool vivify = false;                      // N
  bool new_ttl = false;                     // T
  bool value = false;                       // v
  bool no_update = false;                   // u
  bool no_reply = false;                    // q
  bool set_stale = false;                   // I
  bool has_cas = false;                     // C
  char mode = 0;                            // M
  std::int32_t ttl = 0;                     // T, as sent (memcached's 32-bit reading)
  std::int32_t vivify_ttl = 0;              // N
  std::int32_t recache_ttl = 0;             // R
  std::uint32_t client_flags = 0;           // F
  std::uint64_t cas = 0;                    // C
  std::uint64_t delta = 1;                  // D
  std::uint64_t initial = 0;                // J
};

// Reads tokens[first..] into `m` (tokens[1] is the key). On failure returns memcached's error
// line for it; the caller may word it its own way (md and ma do).
std::optional<std::string_view> parse_meta_flags(const std::vector<std::string_view>& tokens,
                                                 std::size_t first, MetaRequest& m);

// The longest opaque (O) token memcached echoes.
inline constexpr std::size_t kMaxOpaqueLength = 32;

// " k<key>", base64 and followed by " b" when the key came in base64 (memcached's META_KEY).
void append_meta_key(ReplyBuffer& out, std::string_view key, bool binary);

// Seconds left before `exptime` as memcached prints them (-1: never).
std::int64_t ttl_of(Tick exptime, Tick now) noexcept;
void append_signed(ReplyBuffer& out, std::int64_t v);

}  // namespace cachelab::protocol::detail
