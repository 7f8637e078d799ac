#include "cachelab/protocol/parser.h"

#include "tokenize.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <array>
#include <cstring>
#include <utility>

namespace cachelab::protocol {
namespace {

#define CACHELAB_COMMAND_NAME(id, name, handler, kind) {name, CommandId::id},
constexpr std::pair<std::string_view, CommandId> kCommandNames[] = {CACHELAB_COMMANDS(CACHELAB_COMMAND_NAME)};
#undef CACHELAB_COMMAND_NAME

CommandId lookup_command(std::string_view name) noexcept {
  for (const auto& [text, id] : kCommandNames)
    if (text == name) return id;
  return CommandId::kUnknown;
}

// Where the keys start: gat and gats have their exptime first.
std::size_t first_key(CommandId id) noexcept {
  return id == CommandId::kGat || id == CommandId::kGats ? 2 : 1;
}

std::string_view command_name(CommandId id) noexcept {
  for (const auto& [text, command] : kCommandNames)
    if (command == id) return text;
  return {};
}

using detail::tokenize;

// A multi-key read needs only the tokens of one piece and the first key after it (see
// cut_multi_get): tokenizing the whole line for every piece would cost O(line) per piece.
std::size_t token_limit(CommandId id) noexcept {
  return is_multi_key_read(id) ? first_key(id) + RequestParser::kKeysPerPiece + 1 : SIZE_MAX;
}

// Splits the line into request.tokens and names its command.
void tokenize_request(std::string_view line, Request& request) {
  tokenize(line, request.tokens, 1);
  request.command = request.tokens.empty() ? CommandId::kUnknown : lookup_command(request.tokens[0]);
  if (const std::size_t limit = token_limit(request.command); limit > 1) {
    request.tokens.clear();
    tokenize(line, request.tokens, limit);
  }
}

}  // namespace

// As memcached's text protocol: any bytes but the space (the token separator) and the line
// ends. Other control bytes are accepted, as memcached does: memaslap (libmemcached-tools) puts
// an 8-byte binary prefix such as 0x10... in front of every key.
bool valid_key(std::string_view key) noexcept {
  if (key.empty() || key.size() > cachelab::kMaxKeyLength) return false;
  return key.find_first_of(std::string_view(" \r\n", 3)) == std::string_view::npos;
}

namespace {

// strto* want a NUL-terminated string; tokens are views into the input buffer.
template <class T, class F>
bool read_number(std::string_view text, T* value, F convert) noexcept {
  char small[64];
  std::string big;
  const char* s = small;
  if (text.size() < sizeof small) {
    std::memcpy(small, text.data(), text.size());
    small[text.size()] = '\0';
  } else {
    s = big.assign(text).c_str();  // leading zeros or blanks: rare, but memcached reads them
  }
  errno = 0;
  char* end = nullptr;
  *value = convert(s, &end);
  if (errno == ERANGE || end == s) return false;
  // The token ends at a blank or at its end (memcached: xisspace(*endptr) || *endptr == '\0').
  return *end == '\0' || std::isspace(static_cast<unsigned char>(*end));
}

bool has_minus(std::string_view text) noexcept { return text.find('-') != std::string_view::npos; }

}  // namespace

bool parse_i32(std::string_view text, std::int32_t* out) noexcept {
  long v = 0;
  if (!read_number(text, &v, [](const char* p, char** e) { return std::strtol(p, e, 10); })) return false;
  *out = static_cast<std::int32_t>(v);  // memcached stores the long in an int32_t as it is
  return true;
}

bool parse_u32(std::string_view text, std::uint32_t* out) noexcept {
  unsigned long v = 0;
  if (!read_number(text, &v, [](const char* p, char** e) { return std::strtoul(p, e, 10); })) return false;
  if (static_cast<long>(v) < 0 && has_minus(text)) return false;
  *out = static_cast<std::uint32_t>(v);
  return true;
}

bool parse_u64_token(std::string_view text, std::uint64_t* out) noexcept {
  unsigned long long v = 0;
  if (!read_number(text, &v, [](const char* p, char** e) { return std::strtoull(p, e, 10); })) return false;
  if (static_cast<long long>(v) < 0 && has_minus(text)) return false;
  *out = v;
  return true;
}

ParseStatus RequestParser::parse(std::string_view input, Request& request, std::size_t& consumed) {
  consumed = 0;
  if (swallow_ == 0) {
    // The newline is looked for in the first max_line + 1 bytes only, and not again in the bytes
    // an earlier call found free of one: a long multi-get, answered in many small pieces, would
    // otherwise be scanned again for every piece.
    const std::size_t window = std::min(input.size(), limits_.max_line + 1);
    const std::size_t newline = input.substr(0, window).find('\n', std::min(no_newline_, window));
    const std::size_t clean = newline == std::string_view::npos ? window : newline;
    ParseStatus status;
    if (newline == std::string_view::npos && input.size() <= limits_.max_line) {
      status = ParseStatus::kNeedMore;
    } else if (newline == std::string_view::npos) {
      status = parse_long_get(input, request, consumed);
    } else {
      std::string_view line = input.substr(0, newline);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      status = parse_line(line, newline + 1, input, request, consumed);
    }
    // The caller drops `consumed` bytes and keeps the rest: what is left of `clean` stays clean.
    no_newline_ = status != ParseStatus::kLineTooLong && clean > consumed ? clean - consumed : 0;
    if (swallow_ == 0) return status;
    input.remove_prefix(consumed);  // the line started a swallow: go on with its data block
  }
  // Drop the refused value's bytes as they come. Like memcached, the error is answered once the
  // whole block is gone, so that the reply follows everything the client sent with it.
  no_newline_ = 0;
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(swallow_, input.size()));
  swallow_ -= n;
  consumed += n;
  if (swallow_ > 0) return ParseStatus::kNeedMore;
  request.clear();
  request.command = refused_.command;
  request.error = ParseError::kTooLarge;
  request.noreply = refused_.noreply;
  request.storage.key = refused_.key;
  return ParseStatus::kRequest;
}

ParseStatus RequestParser::parse_line(std::string_view line, std::size_t line_bytes,
                                      std::string_view input, Request& request, std::size_t& consumed) {
  request.clear();
  if (continued_get_ != CommandId::kUnknown) {
    // The rest of a long multi-key read: its keys, then END.
    begin_continued(request);
    continued_get_ = CommandId::kUnknown;
    tokenize(line, request.tokens, token_limit(request.command));
    consumed = line_bytes;
    cut_multi_get(input, request, consumed);
    return ParseStatus::kRequest;
  }
  tokenize_request(line, request);
  if (request.command == CommandId::kUnknown) {
    // memcached's last resort for a command it does not know: not one-letter names, not m?
    // (those are meta commands there), and the last token starts with HTTP/.
    const std::string_view name = request.tokens.empty() ? std::string_view{} : request.tokens[0];
    const bool meta_like = name.size() == 2 && name[0] == 'm';
    const bool http = request.tokens.size() >= 2 && name.size() >= 2 && !meta_like &&
                      request.tokens.back().substr(0, 5) == "HTTP/";
    request.error = http ? ParseError::kHttpRequest : ParseError::kUnknownCommand;
  }
  consumed = line_bytes;
  if (is_multi_key_read(request.command)) cut_multi_get(input, request, consumed);
  if (!has_data_block(request.command)) return ParseStatus::kRequest;

  if (request.command == CommandId::kMetaSet)
    parse_meta_set_header(request);
  else
    parse_storage_header(request);
  if (request.error == ParseError::kTooLarge) {
    // Drop the block without holding it, then go on with the next command (memcached's swallow).
    swallow_ = std::uint64_t{request.storage.length} + 2;
    refused_.command = request.command;
    refused_.noreply = request.noreply;
    refused_.key.assign(request.storage.key);
    return ParseStatus::kNeedMore;
  }
  if (request.error != ParseError::kNone) return ParseStatus::kRequest;  // no block is read

  const std::size_t block = std::size_t{request.storage.length} + 2;
  if (input.size() - line_bytes < block) {
    consumed = 0;  // the whole request is parsed again once its block is here
    return ParseStatus::kNeedMore;
  }
  const std::string_view raw = input.substr(line_bytes, block);
  if (raw.substr(request.storage.length) != "\r\n") request.error = ParseError::kBadDataChunk;
  request.data = raw.substr(0, request.storage.length);
  consumed = line_bytes + block;
  return ParseStatus::kRequest;
}

// A get/gets/gat/gats of many keys is executed kKeysPerPiece keys at a time, so that the
// connection can write the replies between pieces: a client asking for thousands of large values
// in one line cannot make the server copy them all into memory at once. The rest of the line
// waits in the input.
void RequestParser::cut_multi_get(std::string_view input, Request& request, std::size_t& consumed) {
  const std::size_t keys_from = first_key(request.command);
  if (request.tokens.size() <= keys_from + kKeysPerPiece) return;
  consumed = static_cast<std::size_t>(request.tokens[keys_from + kKeysPerPiece].data() - input.data());
  request.tokens.resize(keys_from + kKeysPerPiece);
  request.more_keys = true;
  // gat's exptime goes with every piece (a continued piece already holds the saved copy).
  if (keys_from == 2 && !request.continued) continued_exptime_.assign(request.tokens[1]);
  continued_get_ = request.command;
}

// The first tokens of a piece that continues a multi-key read: its command, and gat's exptime.
void RequestParser::begin_continued(Request& request) const {
  request.command = continued_get_;
  request.continued = true;
  request.tokens.push_back(command_name(continued_get_));
  if (first_key(continued_get_) == 2) request.tokens.push_back(continued_exptime_);
}

// A line longer than max_line: a get or gets of many keys is answered in pieces of whole keys,
// as memcached does, so that a client's big multi-get works with a bounded buffer. Any other
// over-long line cannot be resynchronised.
ParseStatus RequestParser::parse_long_get(std::string_view input, Request& request, std::size_t& consumed) {
  const std::string_view head = input.substr(0, limits_.max_line);
  const std::size_t last_space = head.find_last_of(' ');
  if (last_space == std::string_view::npos) return ParseStatus::kLineTooLong;
  request.clear();
  if (continued_get_ != CommandId::kUnknown) {
    begin_continued(request);
    tokenize(input.substr(0, last_space), request.tokens, token_limit(request.command));
  } else {
    tokenize_request(input.substr(0, last_space), request);
    const CommandId id = request.command;
    if (!is_multi_key_read(id) || request.tokens.size() < first_key(id)) return ParseStatus::kLineTooLong;
    if (first_key(id) == 2) continued_exptime_.assign(request.tokens[1]);
  }
  request.more_keys = true;
  continued_get_ = request.command;
  consumed = last_space + 1;
  cut_multi_get(input, request, consumed);
  return ParseStatus::kRequest;
}

// set/add/replace/append/prepend: KEY FLAGS EXPTIME BYTES [noreply]; cas adds CAS before noreply.
void RequestParser::parse_storage_header(Request& request) const {
  const auto& t = request.tokens;
  const std::size_t base = request.command == CommandId::kCas ? 6 : 5;
  if (t.size() != base && t.size() != base + 1) {
    request.error = ParseError::kUnknownCommand;
    return;
  }
  request.noreply = t.back() == "noreply";
  StorageHeader& h = request.storage;
  h.key = t[1];
  std::int32_t length = 0, exptime = 0;
  const bool numbers_ok = parse_u32(t[2], &h.flags) && parse_i32(t[3], &exptime) &&
                          parse_i32(t[4], &length) &&
                          (request.command != CommandId::kCas || parse_u64_token(t[5], &h.cas));
  h.exptime = exptime;
  if (!valid_key(h.key) || !numbers_ok || length < 0 || length > INT32_MAX - 2) {
    request.error = ParseError::kBadFormat;
    return;
  }
  h.length = static_cast<std::uint32_t>(length);
  if (h.length > limits_.max_item_size) request.error = ParseError::kTooLarge;
}

// ms KEY DATALEN FLAGS*: the parser needs the key and the length; the executor reads the flags.
void RequestParser::parse_meta_set_header(Request& request) const {
  // memcached's checks and their order; none of these errors swallows a data block.
  const auto& t = request.tokens;
  if (t.size() < 2) {
    request.error = ParseError::kUnknownCommand;
    return;
  }
  if (t[1].size() > cachelab::kMaxKeyLength || t.size() == 2) {
    request.error = ParseError::kBadFormat;
    return;
  }
  if (t.size() >= 20) {
    request.error = ParseError::kMetaTooManyFlags;
    return;
  }
  request.storage.key = t[1];
  std::int32_t length = 0;
  if (!parse_i32(t[2], &length) || length < 0 || length > INT32_MAX - 2) {
    request.error = ParseError::kBadFormat;
    return;
  }
  request.storage.length = static_cast<std::uint32_t>(length);
  if (request.storage.length > limits_.max_item_size) request.error = ParseError::kTooLarge;
}

}  // namespace cachelab::protocol
