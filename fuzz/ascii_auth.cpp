// libFuzzer target: -Y's authentication gate, fed as a connection feeds it (pieces of random
// length; the first byte seeds the lengths), then, once a connection is in, the executor.
// Checked: no crash or sanitizer report; the gate never claims more bytes than it was given and
// never holds more than one auth request; it lets a connection in only with a STORED reply for a
// user:password of the table.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cachelab/protocol/ascii_auth.h"
#include "protocol_test_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cachelab::protocol::AsciiAuthGate;
  if (size < 1) return 0;
  static const auto table = cachelab::protocol::AuthTable::parse("alice:secret-a\nb:\nbob:pass:with:colons\n", nullptr);
  AsciiAuthGate gate;
  cachelab::protocol::CommandStats stats;
  cachelab::protocol::ReplyBuffer out;
  std::uint32_t rng = data[0] | 1u;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string pending;
  std::size_t at = 0;
  bool closed = false;
  while (at < stream.size() && !gate.authenticated() && !closed) {
    rng = rng * 1103515245u + 12345u;
    const std::size_t n = std::min<std::size_t>(stream.size() - at, 1 + (rng >> 16) % 64);
    pending.append(stream.substr(at, n));
    at += n;
    while (!gate.authenticated()) {
      std::size_t consumed = 0;
      const std::size_t replied = out.size();
      const auto step = gate.consume(pending, consumed, table.get(), out, stats);
      if (consumed > pending.size()) __builtin_trap();
      pending.erase(0, consumed);
      if (gate.authenticated() && out.bytes().substr(replied) != "STORED\r\n") __builtin_trap();
      if (step == AsciiAuthGate::Step::kClose) closed = true;
      if (step != AsciiAuthGate::Step::kReplied) break;
    }
    if (pending.size() > AsciiAuthGate::kMaxLine + AsciiAuthGate::kMaxToken + 2 + 64) __builtin_trap();
    out.clear();
  }
  if (stats.get(cachelab::protocol::Counter::kAuthErrors) > stats.get(cachelab::protocol::Counter::kAuthCmds))
    __builtin_trap();
  if (gate.authenticated()) {  // the rest of the stream reaches the executor, as in a connection
    cachelab::test::FakeServer s(cachelab::protocol::ServerSettings{}, 64 * 1024, 4096, "lru");
    s.run(pending + std::string(stream.substr(at)));
  }
  return 0;
}
