// The binary protocol: the packet parser's bounds and memcached 1.6.18's answers to each opcode
// (status codes, quiet forms, opaque, CAS, the connection closed where memcached closes it).
// tests/integration/test_binary_differential.py checks the same against memcached itself.
#include <catch2/catch.hpp>
#include <string>

#include "binary_test_util.h"

using namespace cachelab::test;
using namespace cachelab::protocol::binary;
using namespace std::string_literals;

namespace {
constexpr std::uint16_t kOk = 0, kNotFound = 1, kExists = 2, kTooBig = 3, kInvalid = 4, kNotStored = 5,
                        kNonNumeric = 6, kAuth = 0x20, kUnknown = 0x81;
std::string set(std::string_view key, std::string_view value, std::uint32_t flags = 0, std::uint32_t exptime = 0,
                std::uint64_t cas = 0, std::uint8_t op = kSet) {
  return packet(op, key, set_extras(flags, exptime), value, 0, cas);
}
}  // namespace

TEST_CASE("binary parser: waits for whole packets, split anywhere", "[protocol][binary]") {
  const std::string stream = set("k", "hello", 7) + packet(kGet, "k", {}, {}, 0xabcdef01) + packet(kNoop);
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    FakeBinaryServer s;
    std::string replies = s.run(stream.substr(0, cut));
    replies += s.run(stream.substr(cut));
    const auto r = responses(replies);
    REQUIRE(r.size() == 3);
    CHECK(r[0].status == kOk);
    CHECK(r[1].opaque == 0xabcdef01);
    CHECK(r[1].value == "hello");
    CHECK(get_be(r[1].extras, 0, 4) == 7);
    CHECK(r[2].opcode == kNoop);
    CHECK(s.buffered() == 0);
  }
}

TEST_CASE("binary: get/getk/getq/getkq, CAS and opaque", "[protocol][binary]") {
  FakeBinaryServer s;
  auto r = s.ask(set("k", "v1", 3));
  REQUIRE(r.size() == 1);
  CHECK(r[0].status == kOk);
  const std::uint64_t cas = r[0].cas;
  CHECK(cas != 0);
  r = s.ask(packet(kGetK, "k", {}, {}, 9));
  REQUIRE(r.size() == 1);
  CHECK(r[0].key == "k");
  CHECK(r[0].value == "v1");
  CHECK(r[0].cas == cas);
  CHECK(r[0].opaque == 9);
  // a miss: get says "Not found", getk names the key without text, quiet forms say nothing
  r = s.ask(packet(kGet, "nope") + packet(kGetK, "nope") + packet(kGetQ, "nope") + packet(kGetKQ, "nope") +
            packet(kGetQ, "k") + packet(kNoop));
  REQUIRE(r.size() == 4);
  CHECK((r[0].status == kNotFound && r[0].value == "Not found" && r[0].key.empty()));
  CHECK((r[1].status == kNotFound && r[1].key == "nope" && r[1].value.empty()));
  CHECK((r[2].opcode == kGetQ && r[2].value == "v1"));
  CHECK(r[3].opcode == kNoop);
}

TEST_CASE("binary: set/add/replace/cas status codes, quiet forms", "[protocol][binary]") {
  FakeBinaryServer s;
  auto r = s.ask(set("a", "1") + set("a", "2", 0, 0, 0, kAdd) + set("b", "2", 0, 0, 0, kReplace));
  REQUIRE(r.size() == 3);
  CHECK(r[1].status == kExists);
  CHECK(r[1].value == "Data exists for key.");
  CHECK(r[2].status == kNotFound);
  const std::uint64_t cas = r[0].cas;
  r = s.ask(set("a", "x", 0, 0, cas + 100) + set("zz", "x", 0, 0, 5) + set("a", "y", 0, 0, cas));
  REQUIRE(r.size() == 3);
  CHECK(r[0].status == kExists);
  CHECK(r[1].status == kNotFound);
  CHECK(r[2].status == kOk);
  CHECK(r[2].cas != cas);
  // quiet: successes silent, errors sent
  r = s.ask(set("q", "1", 0, 0, 0, kSetQ) + set("q", "1", 0, 0, 0, kAddQ) + packet(kNoop));
  REQUIRE(r.size() == 2);
  CHECK((r[0].opcode == kAddQ && r[0].status == kExists));
  // append/prepend, with and without CAS
  r = s.ask(packet(kAppend, "q", {}, "b") + packet(kPrepend, "q", {}, "a") + packet(kAppend, "none", {}, "x") +
            packet(kAppend, "q", {}, "c", 0, 1) + packet(kGet, "q"));
  REQUIRE(r.size() == 5);
  CHECK(r[2].status == kNotStored);
  CHECK(r[3].status == kExists);
  CHECK(r[4].value == "a1b");
}

TEST_CASE("binary: delete, incr/decr with initial value, touch and gat", "[protocol][binary]") {
  FakeBinaryServer s;
  auto r = s.ask(packet(kIncrement, "n", arith_extras(5, 10, 0)) + packet(kIncrement, "n", arith_extras(5, 10, 0)) +
                 packet(kDecrement, "n", arith_extras(100, 0, 0)) +
                 packet(kIncrement, "m", arith_extras(1, 0, 0xffffffff)));
  REQUIRE(r.size() == 4);
  CHECK(get_be(r[0].value, 0, 8) == 10);
  CHECK(get_be(r[1].value, 0, 8) == 15);
  CHECK(get_be(r[2].value, 0, 8) == 0);
  CHECK(r[3].status == kNotFound);
  r = s.ask(set("t", "text") + packet(kIncrement, "t", arith_extras(1, 0, 0)) +
            packet(kIncrement, "n", arith_extras(1, 0, 0), {}, 0, 12345));
  CHECK(r[1].status == kNonNumeric);
  CHECK(r[2].status == kExists);
  r = s.ask(packet(kDelete, "t", {}, {}, 0, 999) + packet(kDelete, "t") + packet(kDeleteQ, "t") + packet(kNoop));
  REQUIRE(r.size() == 4);
  CHECK(r[0].status == kExists);
  CHECK(r[1].status == kOk);
  CHECK((r[2].opcode == kDeleteQ && r[2].status == kNotFound));
  // touch answers the flags, no value; gat the value; an expiry of 2 s ends it
  r = s.ask(set("g", "vv", 4) + packet(kTouch, "g", u32_extras(2)) + packet(kGatK, "g", u32_extras(2)));
  REQUIRE(r.size() == 3);
  CHECK((r[1].extras.size() == 4 && r[1].value.empty()));
  CHECK((r[2].key == "g" && r[2].value == "vv"));
  s.base.clock.advance(3);
  r = s.ask(packet(kGat, "g", u32_extras(0)) + packet(kGatQ, "g", u32_extras(0)) + packet(kNoop));
  REQUIRE(r.size() == 2);
  CHECK(r[0].status == kNotFound);
}

TEST_CASE("binary: version, noop, stat, flush, quit", "[protocol][binary]") {
  FakeBinaryServer s;
  auto r = s.ask(packet(kVersion) + packet(kStat, {}, {}, {}, 77));
  REQUIRE(r.size() > 3);
  CHECK(r[0].value == "1.6.18");
  CHECK(r[1].key == "pid");
  CHECK(r.back().key.empty());
  CHECK(r.back().opaque == 77);
  r = s.ask(packet(kStat, "settings"));
  CHECK(r.front().key == "maxbytes");
  r = s.ask(packet(kStat, "bogus"));
  REQUIRE(r.size() == 1);
  CHECK(r[0].status == kNotFound);
  r = s.ask(set("f", "1") + packet(kFlushQ) + packet(kGet, "f") + packet(kQuitQ) + packet(kNoop));
  REQUIRE(r.size() == 2);
  CHECK(r[1].status == kNotFound);
  CHECK(s.closed);
}

TEST_CASE("binary: bad packets answered and closed as memcached", "[protocol][binary]") {
  SECTION("unknown opcode: answered, its body dropped, connection kept") {
    FakeBinaryServer s;
    const auto r = s.ask(packet(0x1b, {}, {}, "xyz") + packet(kNoop));
    REQUIRE(r.size() == 2);
    CHECK((r[0].status == kUnknown && r[0].value == "Unknown command"));
    CHECK(!s.closed);
  }
  SECTION("wrong lengths for the opcode: invalid arguments, closed") {
    FakeBinaryServer s;
    const auto r = s.ask(packet(kGet, "k", "ex") + packet(kNoop));
    REQUIRE(r.size() == 1);
    CHECK(r[0].status == kInvalid);
    CHECK(s.closed);
  }
  SECTION("key longer than 250: invalid arguments, closed") {
    FakeBinaryServer s;
    const auto r = s.ask(packet(kGet, std::string(251, 'k')));
    REQUIRE(r.size() == 1);
    CHECK(r[0].status == kInvalid);
    CHECK(s.closed);
  }
  SECTION("key + extras longer than the body: unknown command, closed") {
    FakeBinaryServer s;
    const auto r = s.ask(packet(kGet, "key", {}, {}, 0, 0, 1));
    REQUIRE(r.size() == 1);
    CHECK(r[0].status == kUnknown);
    CHECK(s.closed);
  }
  SECTION("bad magic: closed without a reply") {
    FakeBinaryServer s;
    CHECK(s.run("get foo\r\nversion\r\nxxxxxxxxxxx").empty());
    CHECK(s.closed);
  }
  SECTION("too large: Too large., value dropped as it comes, set's old value removed") {
    FakeBinaryServer s({}, 64 << 20, 1024);
    s.run(set("big", "old"));
    const std::string big = set("big", std::string(5000, 'x'));
    std::string replies;
    for (std::size_t at = 0; at < big.size(); at += 100) {
      replies += s.run(big.substr(at, 100));
      CHECK(s.buffered() < 200);
    }
    replies += s.run(packet(kGet, "big"));
    const auto r = responses(replies);
    REQUIRE(r.size() == 2);
    CHECK((r[0].status == kTooBig && r[0].value == "Too large."));
    CHECK(r[1].status == kNotFound);
  }
  SECTION("SASL opcodes without -S are unknown commands") {
    FakeBinaryServer s;
    const auto r = s.ask(packet(kSaslListMechs) + packet(kSaslAuth, "PLAIN", {}, "\0u\0p"s));
    REQUIRE(r.size() == 2);
    CHECK(r[0].status == kUnknown);
    CHECK(r[1].status == kUnknown);
  }
  SECTION("-F refuses flush with an auth error") {
    cachelab::protocol::ServerSettings settings;
    settings.flush_enabled = false;
    FakeBinaryServer s(settings);
    const auto r = s.ask(packet(kFlushQ));
    REQUIRE(r.size() == 1);
    CHECK(r[0].status == kAuth);
  }
}

TEST_CASE("binary: -C reports CAS 0 and ignores a CAS sent with set", "[protocol][binary]") {
  cachelab::protocol::ServerSettings settings;
  settings.cas_enabled = false;
  FakeBinaryServer s(settings);
  const auto r = s.ask(set("k", "v", 0, 0, 0) + set("k", "w", 0, 0, 77) + packet(kGet, "k") +
                       packet(kDelete, "k", {}, {}, 0, 5));
  REQUIRE(r.size() == 4);
  CHECK((r[0].cas == 0 && r[1].status == kOk && r[2].cas == 0 && r[2].value == "w"));
  CHECK(r[3].status == kExists);
}

TEST_CASE("binary: with -S, only version and SASL before authenticating; others refused and closed",
          "[protocol][binary]") {
  cachelab::protocol::ServerSettings settings;
  settings.sasl = true;  // Cyrus is not initialised here: every exchange fails as a bad password
  FakeBinaryServer s(settings);
  auto r = s.ask(packet(kVersion) + packet(kSaslAuth, "PLAIN", {}, "\0u\0p"s) + packet(kSaslStep, "PLAIN", {}, "x"));
  REQUIRE(r.size() == 3);
  CHECK(r[0].value == "1.6.18");
  CHECK((r[1].status == kAuth && r[1].value == "Auth failure."));
  CHECK(r[2].status == kAuth);
  CHECK(!s.closed);
  r = s.ask(packet(kGet, "k") + packet(kNoop));
  REQUIRE(r.size() == 1);
  CHECK(r[0].status == kAuth);
  CHECK(s.closed);
}
