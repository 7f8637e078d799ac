#include "cachelab/protocol/ascii_auth.h"

#include "cachelab/protocol/request.h"
#include "tokenize.h"

namespace cachelab::protocol {
namespace {

// 1 if equal, else 0, in a time that depends only on the length of `expected` (the secret's
// length is not hidden; its content and where a guess first differs are).
unsigned equal_constant_time(std::string_view given, std::string_view expected) noexcept {
  unsigned diff = given.size() == expected.size() ? 0u : 1u;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= g ^ static_cast<unsigned char>(expected[i]);
  }
  return diff == 0 ? 1u : 0u;
}

}  // namespace

std::shared_ptr<const AuthTable> AuthTable::parse(std::string_view text, std::string* error) {
  auto table = std::make_shared<AuthTable>();
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    // The password ends at the line's end, as memcached reads it: a CR ends it too.
    line = line.substr(0, line.find('\r'));
    if (line.empty()) continue;  // a blank line (memcached refuses one in the middle; harmless)
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      if (error) *error = "line " + std::to_string(line_number) + " is not user:password";
      return nullptr;
    }
    table->entries_.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  return table;
}

bool AuthTable::check(std::string_view user, std::string_view password) const noexcept {
  unsigned found = 0;
  for (const auto& [u, p] : entries_) {
    // Both compared always (& not &&): no early exit on a known user name.
    found |= equal_constant_time(user, u) & equal_constant_time(password, p);
  }
  return found != 0;
}

AsciiAuthGate::Step AsciiAuthGate::consume(std::string_view input, std::size_t& consumed, const AuthTable* table,
                                           ReplyBuffer& out, CommandStats& stats) {
  consumed = 0;
  if (!in_value_) {
    if (input.size() < 2) return Step::kNeedMore;  // no request is shorter
    const std::size_t nl = input.find('\n');
    if (nl == std::string_view::npos) return input.size() > kMaxLine ? Step::kClose : Step::kNeedMore;
    std::string_view line = input.substr(0, nl);
    consumed = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // "set <key> <flags> <exptime> <bytes> ...": only the byte count matters.
    std::vector<std::string_view> tokens;
    detail::tokenize(line, tokens, 5);
    std::uint32_t bytes = 0;
    if (tokens.size() < 5 || tokens[0] != "set" || !parse_u32(tokens[4], &bytes)) {
      out.line("CLIENT_ERROR unauthenticated");
      return Step::kReplied;
    }
    if (bytes > kMaxToken) return Step::kClose;
    in_value_ = true;
    value_bytes_ = bytes;
  }
  const std::string_view rest = input.substr(consumed);
  if (rest.size() < value_bytes_ + 2) return Step::kNeedMore;
  const std::string_view value = rest.substr(0, value_bytes_ + 2);
  consumed += value.size();
  in_value_ = false;
  if (value.substr(value_bytes_) != "\r\n") {
    out.line("CLIENT_ERROR bad command line termination");
    return Step::kReplied;
  }
  // memcached reads the value as a C string: it ends at a NUL byte.
  std::string_view payload = value.substr(0, value_bytes_);
  payload = payload.substr(0, payload.find('\0'));
  std::vector<std::string_view> credentials;
  detail::tokenize(payload, credentials, 2);
  if (credentials.size() < 2) {
    out.line("CLIENT_ERROR bad authentication token format");
    return Step::kReplied;
  }
  stats.add(Counter::kAuthCmds);
  if (table != nullptr && table->check(credentials[0], credentials[1])) {
    authenticated_ = true;
    out.line(reply::kStored);
  } else {
    stats.add(Counter::kAuthErrors);
    out.line("CLIENT_ERROR authentication failure");
  }
  return Step::kReplied;
}

}  // namespace cachelab::protocol
