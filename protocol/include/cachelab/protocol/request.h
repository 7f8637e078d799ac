#pragma once
// One parsed request of memcached's text protocol: the command, its tokens and, for the storage
// commands, the data block. Every view points into the connection's input buffer and is valid
// until the caller consumes the bytes the parser reported.
#include <cstdint>
#include <string_view>
#include <vector>

#include "cachelab/protocol/commands.h"
#include "cachelab/types.h"

namespace cachelab::protocol {

#define CACHELAB_COMMAND_ID(id, name, handler, kind) id,
enum class CommandId : std::uint8_t {
  kUnknown,
  CACHELAB_COMMANDS(CACHELAB_COMMAND_ID)
  kCount  // number of ids: sizes the executor's handler table
};
#undef CACHELAB_COMMAND_ID

enum class CommandKind : std::uint8_t { kOther, kRetrieval, kStorage, kMeta, kMetaStorage };

// The kind of each command, from the one list in commands.h.
constexpr CommandKind command_kind(CommandId id) noexcept {
  switch (id) {
#define CACHELAB_COMMAND_KIND(id, name, handler, kind) \
  case CommandId::id:                                  \
    return CommandKind::kind;
    CACHELAB_COMMANDS(CACHELAB_COMMAND_KIND)
#undef CACHELAB_COMMAND_KIND
    default:
      return CommandKind::kOther;
  }
}

// Problems the parser finds before the executor runs; each has a fixed memcached reply.
enum class ParseError : std::uint8_t {
  kNone,
  kUnknownCommand,  // ERROR (also: a known command with the wrong number of tokens)
  kBadFormat,       // CLIENT_ERROR bad command line format
  kTooLarge,        // SERVER_ERROR object too large for cache (data block swallowed)
  kBadDataChunk,    // CLIENT_ERROR bad data chunk (data block not ended by \r\n)
  kMetaTooManyFlags,  // ms with more flags than memcached reads: CLIENT_ERROR options flags too long
  kHttpRequest,     // an unknown command ending in HTTP/...: closed without a reply (memcached's
                    // defence against cross-protocol requests from browsers)
};

// The header of set/add/replace/append/prepend/cas (and the parts of ms the parser needs).
struct StorageHeader {
  std::string_view key;
  std::uint32_t flags = 0;
  std::int64_t exptime = 0;  // as sent: relative seconds, absolute unix time, or negative
  std::uint32_t length = 0;  // data block bytes, without the trailing \r\n
  std::uint64_t cas = 0;     // cas only
};

struct Request {
  CommandId command = CommandId::kUnknown;
  ParseError error = ParseError::kNone;
  bool noreply = false;
  // A get/gets/gat/gats of many keys (or a line longer than the parser holds) comes in pieces: all but the last have
  // more_keys, all but the first are continued.
  bool more_keys = false;
  bool continued = false;
  std::vector<std::string_view> tokens;  // tokens[0] is the command name
  StorageHeader storage;                 // storage commands only
  std::string_view data;                 // data block, without its \r\n

  void clear() {
    command = CommandId::kUnknown;
    error = ParseError::kNone;
    noreply = false;
    more_keys = false;
    continued = false;
    tokens.clear();
    storage = {};
    data = {};
  }
};

// Which commands carry a data block after their line.
constexpr bool has_data_block(CommandId id) noexcept {
  return command_kind(id) == CommandKind::kStorage || command_kind(id) == CommandKind::kMetaStorage;
}
constexpr bool is_meta(CommandId id) noexcept {
  return command_kind(id) == CommandKind::kMeta || command_kind(id) == CommandKind::kMetaStorage;
}
constexpr bool is_multi_key_read(CommandId id) noexcept { return command_kind(id) == CommandKind::kRetrieval; }

// memcached's key rules: 1..250 bytes, no control bytes or spaces (tokens never hold a space).
bool valid_key(std::string_view key) noexcept;

// Numbers read as memcached 1.6.18's util.c reads them (strtol/strtoul/strtoull over the whole
// token: a sign and leading blanks allowed), including where that is lax: safe_strtol keeps the
// low 32 bits of a long (`set k 0 4294967295 1` is an exptime of -1: already expired) and
// safe_strtoul the low 32 bits of an unsigned long (flags 4294967296 are 0). A client that works
// with memcached relies on these; libmemcached sends Django's timeout 0 as 4294967295.
bool parse_u32(std::string_view text, std::uint32_t* out) noexcept;   // safe_strtoul
bool parse_i32(std::string_view text, std::int32_t* out) noexcept;    // safe_strtol
bool parse_u64_token(std::string_view text, std::uint64_t* out) noexcept;  // safe_strtoull

}  // namespace cachelab::protocol
