// The binary protocol's packet parser: bytes in, packets out, no sockets and no store.
#include <algorithm>

#include "cachelab/protocol/binary.h"

namespace cachelab::protocol::binary {
namespace {

std::uint16_t be16(const unsigned char* p) noexcept { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const unsigned char* p) noexcept {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
std::uint64_t be64(const unsigned char* p) noexcept { return std::uint64_t{be32(p)} << 32 | be32(p + 4); }

// Whether the lengths are ones the opcode takes (memcached's dispatch checks, opcode by opcode).
// Returns false for an opcode memcached does not serve.
bool known_opcode(std::uint8_t op) noexcept {
  switch (op) {
    case kGet: case kSet: case kAdd: case kReplace: case kDelete: case kIncrement: case kDecrement:
    case kQuit: case kFlush: case kGetQ: case kNoop: case kVersion: case kGetK: case kGetKQ:
    case kAppend: case kPrepend: case kStat: case kSetQ: case kAddQ: case kReplaceQ: case kDeleteQ:
    case kIncrementQ: case kDecrementQ: case kQuitQ: case kFlushQ: case kAppendQ: case kPrependQ:
    case kTouch: case kGat: case kGatQ: case kSaslListMechs: case kSaslAuth: case kSaslStep:
    case kGatK: case kGatKQ:
      return true;
    default:
      return false;
  }
}

bool lengths_valid(std::uint8_t loud, const Header& h) noexcept {
  const std::uint32_t key = h.keylen, ext = h.extlen, body = h.bodylen;
  switch (loud) {
    case kVersion: case kNoop: case kQuit: case kSaslListMechs:
      return ext == 0 && key == 0 && body == 0;
    case kFlush:
      return key == 0 && body == ext && (ext == 0 || ext == 4);
    case kSet: case kAdd: case kReplace:
      return ext == 8 && key != 0 && body >= key + 8;
    case kGet: case kGetK:
      return ext == 0 && body == key && key > 0;
    case kDelete:
      return key > 0 && ext == 0 && body == key;
    case kIncrement: case kDecrement:
      return key > 0 && ext == 20 && body == key + ext;
    case kAppend: case kPrepend:
      return key > 0 && ext == 0;
    case kStat:
      return ext == 0;
    case kSaslAuth: case kSaslStep:
      return ext == 0 && key != 0;
    case kTouch: case kGat: case kGatK:
      return ext == 4 && key != 0;
    default:
      return false;
  }
}

bool has_value(std::uint8_t loud) noexcept {
  switch (loud) {
    case kSet: case kAdd: case kReplace: case kAppend: case kPrepend: case kSaslAuth: case kSaslStep:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::uint8_t loud_opcode(std::uint8_t op) noexcept {
  switch (op) {
    case kSetQ: return kSet;
    case kAddQ: return kAdd;
    case kReplaceQ: return kReplace;
    case kDeleteQ: return kDelete;
    case kIncrementQ: return kIncrement;
    case kDecrementQ: return kDecrement;
    case kQuitQ: return kQuit;
    case kFlushQ: return kFlush;
    case kAppendQ: return kAppend;
    case kPrependQ: return kPrepend;
    case kGetQ: return kGet;
    case kGetKQ: return kGetK;
    case kGatQ: return kGat;
    case kGatKQ: return kGatK;
    default: return op;
  }
}

bool is_quiet(std::uint8_t op) noexcept { return loud_opcode(op) != op; }

Header read_header(std::string_view bytes) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  Header h;
  h.magic = p[0];
  h.opcode = p[1];
  h.keylen = be16(p + 2);
  h.extlen = p[4];
  h.datatype = p[5];
  h.vbucket = be16(p + 6);
  h.bodylen = be32(p + 8);
  h.opaque = be32(p + 12);
  h.cas = be64(p + 16);
  return h;
}

PacketStatus BinaryParser::parse(std::string_view input, Packet& packet, std::size_t& consumed) {
  consumed = 0;
  if (swallow_ > 0) {
    // The body of a refused request, dropped as it arrives (memcached's conn_swallow).
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(swallow_, input.size()));
    swallow_ -= n;
    consumed = n;
    input.remove_prefix(n);
    if (swallow_ > 0) return PacketStatus::kNeedMore;
  }
  if (input.size() < kHeaderBytes) return PacketStatus::kNeedMore;
  const Header h = read_header(input);
  if (h.magic != kRequestMagic) return PacketStatus::kBadMagic;
  // memcached reads extras and key before it looks at anything else.
  const std::size_t fixed = kHeaderBytes + h.extlen + h.keylen;
  if (input.size() < fixed) return PacketStatus::kNeedMore;
  packet = Packet{};
  packet.header = h;
  packet.extras = input.substr(kHeaderBytes, h.extlen);
  packet.key = input.substr(kHeaderBytes + h.extlen, h.keylen);
  const std::size_t start = consumed;
  consumed += fixed;
  if (std::uint64_t{h.keylen} + h.extlen > h.bodylen) {
    packet.error = PacketError::kBadLengths;
    return PacketStatus::kPacket;
  }
  if (h.keylen > kMaxKey) {
    packet.error = PacketError::kKeyTooLong;
    return PacketStatus::kPacket;
  }
  const std::uint8_t loud = loud_opcode(h.opcode);
  if (!known_opcode(h.opcode)) {
    // memcached drops body-length bytes after the extras and key it has already read.
    packet.error = PacketError::kUnknownCommand;
    swallow_ = h.bodylen;
    return PacketStatus::kPacket;
  }
  if (!lengths_valid(loud, h)) {
    packet.error = PacketError::kInvalid;
    return PacketStatus::kPacket;
  }
  const std::uint64_t vlen = std::uint64_t{h.bodylen} - h.keylen - h.extlen;
  const bool sasl_op = loud == kSaslListMechs || loud == kSaslAuth || loud == kSaslStep;
  if (sasl_op && !limits_.sasl) {
    packet.error = PacketError::kUnknownCommand;
    swallow_ = vlen;
    return PacketStatus::kPacket;
  }
  if (!has_value(loud)) return PacketStatus::kPacket;
  if (vlen > limits_.max_item_size) {
    packet.error = sasl_op ? PacketError::kSaslTooLarge : PacketError::kTooLarge;
    swallow_ = vlen;
    return PacketStatus::kPacket;
  }
  if (input.size() < fixed + vlen) {
    consumed = start;  // keep the whole packet until its value is here
    return PacketStatus::kNeedMore;
  }
  packet.value = input.substr(fixed, static_cast<std::size_t>(vlen));
  consumed += static_cast<std::size_t>(vlen);
  return PacketStatus::kPacket;
}

}  // namespace cachelab::protocol::binary
