// Random and half-valid input never crashes the parser or the executor, never makes them hold
// more than one bounded request, and leaves the connection usable (run under ASan/UBSan too).
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "protocol_test_util.h"

using cachelab::test::FakeServer;

namespace {

// Pieces that make half-valid requests: real commands, keys, numbers, flags and terminators.
const std::vector<std::string> kPieces = {
    "set", "add", "replace", "append", "prepend", "cas", "get", "gets", "gat", "gats", "touch",
    "delete", "incr", "decr", "flush_all", "version", "verbosity", "stats", "mg", "ms", "md", "ma",
    "mn", "me", "k", "key", "0", "1", "2", "5", "-1", "100", "18446744073709551615", "4294967296",
    "noreply", "v", "q", "T10", "N5", "R3", "I", "C1", "MA", "ME", "b", "Zm9v", "x", "xyz",
    " ", " ", " ", "\r\n", "\r\n", "\n", "\r", "\t", std::string(1, '\0'), std::string(300, 'k')};

std::string random_script(std::mt19937& rng) {
  std::uniform_int_distribution<std::size_t> piece(0, kPieces.size() - 1);
  std::uniform_int_distribution<int> length(1, 60);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string s;
  const int n = length(rng);
  for (int i = 0; i < n; ++i) {
    if (rng() % 10 == 0)
      s.push_back(static_cast<char>(byte(rng)));
    else
      s += kPieces[piece(rng)];
  }
  return s;
}

}  // namespace

TEST_CASE("fuzz: random input never breaks the parser and executor", "[protocol][fuzz]") {
  std::mt19937 rng(12345);
  for (int round = 0; round < 3000; ++round) {
    FakeServer s({}, 1 << 20, 4096);
    const std::string script = random_script(rng);
    // Feed it in random pieces, as reads would deliver it.
    std::size_t at = 0;
    while (at < script.size() && !s.closed) {
      const std::size_t n = std::min<std::size_t>(script.size() - at, 1 + rng() % 40);
      s.run(script.substr(at, n));
      at += n;
      REQUIRE(s.buffered() <= s.parser.max_request_bytes());
    }
    if (s.closed) continue;  // quit, shutdown refused... or a line too long
    // Whatever came before, a fresh request on a fresh line is understood (after the pending
    // data block or line, if any, is completed by garbage).
    const std::string tail = s.run("\r\n" + std::string(5000, 'x') + "\r\nversion\r\n");
    INFO(script);
    CHECK((s.closed || tail.find("VERSION ") != std::string::npos));
  }
}
