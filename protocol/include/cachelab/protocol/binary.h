#pragma once
// memcached's binary protocol (as memcached 1.6.18 serves it): a pure, bounded parser of request
// packets and the executor that answers them over the same store calls the text commands use.
//
// A packet is a 24-byte header (magic 0x80, opcode, key length, extras length, data type,
// vbucket, body length, opaque, CAS; all big-endian), then the body: extras, key, value. The
// parser reads the header and waits for the extras and the key; what it does next depends on the
// opcode, as memcached does: commands with a value (set/add/replace/append/prepend and the SASL
// exchange) wait for the value too, or drop it as it comes when it is over -I; the other commands
// take only extras and key, and whatever else the body length claims is read as the next packet.
// No request needs more than max_request_bytes() buffered.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cachelab/protocol/executor.h"
#include "cachelab/protocol/reply.h"
#include "cachelab/protocol/server_state.h"

namespace cachelab::protocol::binary {

inline constexpr std::uint8_t kRequestMagic = 0x80;
inline constexpr std::uint8_t kResponseMagic = 0x81;
inline constexpr std::size_t kHeaderBytes = 24;
inline constexpr std::size_t kMaxKey = 250;  // the key length memcached stores (binprot allows 64K)

// The opcodes memcached 1.6.18 answers (any other is "Unknown command").
enum Opcode : std::uint8_t {
  kGet = 0x00, kSet = 0x01, kAdd = 0x02, kReplace = 0x03, kDelete = 0x04, kIncrement = 0x05,
  kDecrement = 0x06, kQuit = 0x07, kFlush = 0x08, kGetQ = 0x09, kNoop = 0x0a, kVersion = 0x0b,
  kGetK = 0x0c, kGetKQ = 0x0d, kAppend = 0x0e, kPrepend = 0x0f, kStat = 0x10, kSetQ = 0x11,
  kAddQ = 0x12, kReplaceQ = 0x13, kDeleteQ = 0x14, kIncrementQ = 0x15, kDecrementQ = 0x16,
  kQuitQ = 0x17, kFlushQ = 0x18, kAppendQ = 0x19, kPrependQ = 0x1a, kTouch = 0x1c, kGat = 0x1d,
  kGatQ = 0x1e, kSaslListMechs = 0x20, kSaslAuth = 0x21, kSaslStep = 0x22, kGatK = 0x23, kGatKQ = 0x24,
};

enum class Status : std::uint16_t {
  kSuccess = 0x00,
  kKeyNotFound = 0x01,
  kKeyExists = 0x02,
  kTooLarge = 0x03,
  kInvalidArguments = 0x04,
  kNotStored = 0x05,
  kNonNumeric = 0x06,
  kAuthError = 0x20,
  kAuthContinue = 0x21,
  kUnknownCommand = 0x81,
  kNoMemory = 0x82,
};

// The quiet opcode's loud twin (getq -> get, setq -> set, ...); others map to themselves.
std::uint8_t loud_opcode(std::uint8_t opcode) noexcept;
bool is_quiet(std::uint8_t opcode) noexcept;

struct Header {
  std::uint8_t magic = 0;
  std::uint8_t opcode = 0;
  std::uint16_t keylen = 0;
  std::uint8_t extlen = 0;
  std::uint8_t datatype = 0;
  std::uint16_t vbucket = 0;  // the status, in a response
  std::uint32_t bodylen = 0;
  std::uint32_t opaque = 0;  // kept as sent (raw bytes, echoed unchanged)
  std::uint64_t cas = 0;
};

// Problems found before the command runs; each has memcached's answer.
enum class PacketError : std::uint8_t {
  kNone,
  kBadLengths,      // key + extras longer than the body: Unknown command, then closed
  kKeyTooLong,      // key over 250 bytes: Invalid arguments, then closed
  kInvalid,         // lengths the opcode does not take: Invalid arguments, then closed
  kUnknownCommand,  // an opcode memcached does not serve (or SASL without -S): Unknown command
  kTooLarge,        // a value over -I: Too large. (the value is dropped as it arrives)
  kSaslTooLarge,    // SASL data over -I: Out of memory (memcached cannot allocate it)
};

struct Packet {
  Header header;
  PacketError error = PacketError::kNone;
  std::string_view extras;
  std::string_view key;
  std::string_view value;  // set/add/replace/append/prepend/SASL data
};

enum class PacketStatus {
  kNeedMore,  // nothing complete yet; `consumed` may be > 0 (dropped bytes of a refused value)
  kPacket,    // `packet` holds one request; drop `consumed` bytes after executing it
  kBadMagic,  // the first byte of a header is not 0x80: memcached closes without a reply
};

struct BinaryLimits {
  std::size_t max_item_size = 1024 * 1024;
  bool sasl = false;  // -S: the SASL opcodes are served (otherwise they are unknown commands)
};

class BinaryParser {
 public:
  explicit BinaryParser(BinaryLimits limits = {}) : limits_(limits) {}

  PacketStatus parse(std::string_view input, Packet& packet, std::size_t& consumed);

  // Bytes the caller must be able to hold at once: a header with the longest extras and key
  // (memcached reads a 64K key before refusing it), or a set of the largest value.
  std::size_t max_request_bytes() const noexcept {
    const std::size_t longest_key = kHeaderBytes + 255 + 65535;
    const std::size_t largest_set = kHeaderBytes + 255 + kMaxKey + limits_.max_item_size;
    return longest_key > largest_set ? longest_key : largest_set;
  }
  bool swallowing() const noexcept { return swallow_ > 0; }

 private:
  BinaryLimits limits_;
  std::uint64_t swallow_ = 0;  // body bytes of a refused request still to drop
};

// Reads the 24-byte header (the caller checks the length).
Header read_header(std::string_view bytes) noexcept;

// Appends a response header (network byte order).
void write_response_header(ReplyBuffer& out, std::uint8_t opcode, Status status, std::uint8_t extlen,
                           std::uint16_t keylen, std::uint32_t bodylen, std::uint32_t opaque,
                           std::uint64_t cas);

// Initialises Cyrus SASL for -S once per process, as memcached does (application "memcached",
// memcached.conf in $SASL_CONF_PATH, /etc/sasl or /etc/sasl2). False, with the reason, when it cannot.
bool sasl_init(int verbose, std::string* error);

// Answers packets for one connection (its SASL state lives here).
class BinaryExecutor {
 public:
  BinaryExecutor(ServerState& state, CommandStats& stats) : state_(state), stats_(stats) {}
  ~BinaryExecutor();
  BinaryExecutor(const BinaryExecutor&) = delete;
  BinaryExecutor& operator=(const BinaryExecutor&) = delete;

  Outcome execute(const Packet& packet, ReplyBuffer& out);

 private:
  ServerState& state_;
  CommandStats& stats_;
  bool authenticated_ = false;
  bool sasl_started_ = false;
  void* sasl_conn_ = nullptr;  // Cyrus SASL's sasl_conn_t, when -S
};

}  // namespace cachelab::protocol::binary
