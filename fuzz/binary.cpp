// libFuzzer target: memcached's binary protocol (packet parser and executor over a real store),
// fed the way a connection feeds it: in pieces of random length. The first byte picks the
// settings (-C, -F, and in a quarter of the inputs -S: the authentication gate and the SASL
// opcodes, with Cyrus not initialised, so that every exchange fails as a bad password does) and
// the policy, the second seeds the piece lengths; the rest is the stream.
// Checked: no crash or sanitizer report, the input held never exceeds one maximum request,
// every reply is whole packets, and a request that closes the connection is the last answered.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "binary_test_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  static const char* const kPolicies[] = {"lru", "s3fifo", "lfu", "ttl"};
  cachelab::protocol::ServerSettings settings;
  settings.cas_enabled = !(data[0] & 2);
  settings.flush_enabled = !(data[0] & 4);
  settings.sasl = (data[0] & 0x60) == 0x60;
  // A small cache and a small -I, so that evictions and refused values happen.
  cachelab::test::FakeBinaryServer s(settings, 64 * 1024, 4096, kPolicies[(data[0] >> 3) & 3]);
  std::uint32_t rng = data[1] | 1u;
  const std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);
  std::size_t at = 0;
  while (at < stream.size()) {
    if (s.closed) __builtin_trap();
    rng = rng * 1103515245u + 12345u;
    const std::size_t n = std::min<std::size_t>(stream.size() - at, 1 + (rng >> 16) % 64);
    bool whole = false;
    cachelab::test::responses(s.run(stream.substr(at, n)), &whole);
    if (!whole) __builtin_trap();
    at += n;
    if (s.buffered() > s.parser.max_request_bytes()) __builtin_trap();
    if (s.closed) break;
    if ((rng >> 8) % 16 == 0) s.base.clock.advance((rng >> 12) % 100);
  }
  return 0;
}
