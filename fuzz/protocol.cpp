// libFuzzer target: the memcached text + meta protocol (parser and executor over a real store),
// fed the way a connection feeds it: in pieces of random length. The first byte picks the
// settings (-A, -C, -F) and the policy, the second seeds the piece lengths; the rest is the stream.
// Checked: no crash or sanitizer report, the input held never exceeds one maximum request, and a
// request that closes the connection is the last one answered.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol_test_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  static const char* const kPolicies[] = {"lru", "s3fifo", "lfu", "ttl"};
  cachelab::protocol::ServerSettings settings;
  settings.allow_shutdown = data[0] & 1;
  settings.cas_enabled = !(data[0] & 2);
  settings.flush_enabled = !(data[0] & 4);
  // A small cache and a small -I, so that evictions and refused values happen.
  cachelab::test::FakeServer s(settings, 64 * 1024, 4096, kPolicies[(data[0] >> 3) & 3]);
  std::uint32_t rng = data[1] | 1u;
  const std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);
  std::size_t at = 0;
  while (at < stream.size()) {
    if (s.closed) __builtin_trap();  // run() stops at the request that closes; nothing after it
    rng = rng * 1103515245u + 12345u;
    const std::size_t n = std::min<std::size_t>(stream.size() - at, 1 + (rng >> 16) % 64);
    s.run(stream.substr(at, n));
    at += n;
    if (s.buffered() > s.parser.max_request_bytes()) __builtin_trap();
    if (s.closed) break;
    if ((rng >> 8) % 16 == 0) s.clock.advance((rng >> 12) % 100);  // let items expire
  }
  return 0;
}
