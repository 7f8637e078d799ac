#pragma once
// Base64 (RFC 4648, with padding) for meta commands' `b` flag (binary keys sent as text) and for
// binary keys written to a --trace-out file.
#include <optional>
#include <string>
#include <string_view>

namespace cachelab::protocol {

// Returns nullopt when `text` is not valid padded base64.
std::optional<std::string> base64_decode(std::string_view text);
// Padded base64 of `bytes`.
std::string base64_encode(std::string_view bytes);

}  // namespace cachelab::protocol
