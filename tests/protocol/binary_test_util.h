#pragma once
// The binary protocol without sockets: packets built and read back, and a server (store, manual
// clock, one connection's parser and executor) driven the way ConnectionCore drives it.
#include <cstdint>
#include <string>
#include <vector>

#include "cachelab/protocol/binary.h"
#include "protocol_test_util.h"

namespace cachelab::test {

inline void put_be(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}

// One request packet; `bodylen` overrides the computed body length when set.
inline std::string packet(std::uint8_t opcode, std::string_view key = {}, std::string_view extras = {},
                          std::string_view value = {}, std::uint32_t opaque = 0, std::uint64_t cas = 0,
                          std::int64_t bodylen = -1) {
  std::string p;
  p.push_back(static_cast<char>(0x80));
  p.push_back(static_cast<char>(opcode));
  put_be(p, key.size(), 2);
  p.push_back(static_cast<char>(extras.size()));
  p.push_back(0);
  put_be(p, 0, 2);
  put_be(p, bodylen >= 0 ? static_cast<std::uint64_t>(bodylen) : extras.size() + key.size() + value.size(), 4);
  put_be(p, opaque, 4);
  put_be(p, cas, 8);
  p.append(extras);
  p.append(key);
  p.append(value);
  return p;
}
inline std::string set_extras(std::uint32_t flags, std::uint32_t exptime) {
  std::string e;
  put_be(e, flags, 4);
  put_be(e, exptime, 4);
  return e;
}
inline std::string arith_extras(std::uint64_t delta, std::uint64_t initial, std::uint32_t exptime) {
  std::string e;
  put_be(e, delta, 8);
  put_be(e, initial, 8);
  put_be(e, exptime, 4);
  return e;
}
inline std::string u32_extras(std::uint32_t v) {
  std::string e;
  put_be(e, v, 4);
  return e;
}

// One response packet, read back.
struct Response {
  std::uint8_t opcode = 0;
  std::uint16_t status = 0;
  std::uint32_t opaque = 0;
  std::uint64_t cas = 0;
  std::string extras, key, value;
};

inline std::uint64_t get_be(std::string_view b, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | static_cast<unsigned char>(b[at + i]);
  return v;
}

// Splits reply bytes into packets; a trailing partial packet is an error (`ok` false).
inline std::vector<Response> responses(std::string_view bytes, bool* ok = nullptr) {
  std::vector<Response> out;
  if (ok) *ok = true;
  while (bytes.size() >= 24) {
    const auto keylen = get_be(bytes, 2, 2), extlen = get_be(bytes, 4, 1), body = get_be(bytes, 8, 4);
    if (static_cast<unsigned char>(bytes[0]) != 0x81 || bytes.size() < 24 + body || keylen + extlen > body) break;
    Response r;
    r.opcode = static_cast<std::uint8_t>(bytes[1]);
    r.status = static_cast<std::uint16_t>(get_be(bytes, 6, 2));
    r.opaque = static_cast<std::uint32_t>(get_be(bytes, 12, 4));
    r.cas = get_be(bytes, 16, 8);
    r.extras = std::string(bytes.substr(24, extlen));
    r.key = std::string(bytes.substr(24 + extlen, keylen));
    r.value = std::string(bytes.substr(24 + extlen + keylen, body - extlen - keylen));
    out.push_back(r);
    bytes.remove_prefix(24 + body);
  }
  if (ok && !bytes.empty()) *ok = false;
  return out;
}

class FakeBinaryServer {
 public:
  explicit FakeBinaryServer(protocol::ServerSettings settings = {}, std::uint64_t capacity = 64 << 20,
                            std::uint64_t max_item = 1024 * 1024, const char* policy = "lru")
      : base(settings, capacity, max_item, policy),
        parser(protocol::binary::BinaryLimits{max_item, settings.sasl}),
        executor(base.state, base.state.worker_stats(0)) {}

  std::string run(std::string_view bytes) {
    buffer_.append(bytes);
    protocol::ReplyBuffer out;
    while (!closed) {
      std::size_t consumed = 0;
      const auto status = parser.parse(buffer_, packet_, consumed);
      if (status == protocol::binary::PacketStatus::kBadMagic) {
        out.clear();
        closed = true;
        break;
      }
      if (status == protocol::binary::PacketStatus::kPacket) {
        const protocol::Outcome outcome = executor.execute(packet_, out);
        if (outcome == protocol::Outcome::kDrop) out.clear();
        if (outcome != protocol::Outcome::kContinue) closed = true;
      }
      buffer_.erase(0, consumed);
      if (status == protocol::binary::PacketStatus::kNeedMore) break;
    }
    return out.bytes();
  }
  std::vector<Response> ask(std::string_view bytes) {
    bool ok = false;
    auto r = responses(run(bytes), &ok);
    if (!ok) r.push_back(Response{0xff, 0xffff, 0, 0, "", "", "partial"});
    return r;
  }
  std::size_t buffered() const { return buffer_.size(); }

  FakeServer base;
  protocol::binary::BinaryParser parser;
  protocol::binary::BinaryExecutor executor;
  bool closed = false;

 private:
  protocol::binary::Packet packet_;
  std::string buffer_;
};

}  // namespace cachelab::test
