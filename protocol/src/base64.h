#pragma once
// Base64 (RFC 4648, with padding) for meta commands' `b` flag: binary keys sent as text.
#include <optional>
#include <string>
#include <string_view>

namespace cachelab::protocol::detail {

// Returns nullopt when `text` is not valid padded base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace cachelab::protocol::detail
