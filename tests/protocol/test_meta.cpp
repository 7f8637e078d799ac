// Meta commands: replies byte for byte as memcached 1.6 (checked against 1.6.18 where it
// follows its own doc/protocol.txt), and the flags cachelab refuses rather than pretends.
#include <catch2/catch.hpp>
#include <string>

#include "protocol_test_util.h"

using cachelab::test::FakeServer;

namespace {
// The CAS the server gave `key`, read with `mg key c`.
std::string cas_of(FakeServer& s, const std::string& key) {
  const std::string r = s.run("mg " + key + " c\r\n");
  return r.substr(4, r.size() - 6);
}
}  // namespace

TEST_CASE("meta: mn and mg", "[protocol][meta]") {
  FakeServer s;
  CHECK(s.run("mn\r\n") == "MN\r\n");
  CHECK(s.run("mg miss\r\nmg miss v\r\nmg miss q\r\nmn\r\n") == "EN\r\nEN\r\nMN\r\n");
  s.run("set foo 5 0 2\r\nhi\r\n");
  CHECK(s.run("mg foo\r\n") == "HD\r\n");
  CHECK(s.run("mg foo v\r\n") == "VA 2\r\nhi\r\n");
  CHECK(s.run("mg foo s v t f k Oabc q\r\n") == "VA 2 s2 t-1 f5 kfoo Oabc\r\nhi\r\n");
  CHECK(s.run("mg foo k q\r\n") == "HD kfoo\r\n");  // q hides only the miss
  CHECK(s.run("mg foo T30 t\r\n") == "HD t30\r\n");
  s.clock.advance(10);
  CHECK(s.run("mg foo t\r\n") == "HD t20\r\n");
  CHECK(s.run("mg foo v P/a Lb\r\n") == "VA 2\r\nhi\r\n");  // proxy hints are ignored
  const std::string cas = cas_of(s, "foo");
  CHECK(s.run("mg foo v C" + cas + "\r\n") == "HD\r\n");  // the client's copy is current
  CHECK(s.run("mg foo v C1" + cas + "\r\n") == "VA 2\r\nhi\r\n");
}

TEST_CASE("meta: mg h reports the hit before this command, u does not count one", "[protocol][meta]") {
  FakeServer s;
  s.run("set k 0 0 1\r\nx\r\n");
  CHECK(s.run("mg k h u\r\n") == "HD h0\r\n");
  CHECK(s.run("mg k h\r\n") == "HD h0\r\n");
  CHECK(s.run("mg k h\r\n") == "HD h1\r\n");
}

TEST_CASE("meta: flag errors", "[protocol][meta]") {
  FakeServer s;
  s.run("set foo 0 0 2\r\nhi\r\n");
  CHECK(s.run("mg foo Z\r\n") == "CLIENT_ERROR invalid flag\r\n");
  CHECK(s.run("mg foo s s\r\n") == "CLIENT_ERROR duplicate flag\r\n");
  CHECK(s.run("mg\r\n") == "ERROR\r\n");
  CHECK(s.run("mg " + std::string(251, 'k') + " v\r\n") == "CLIENT_ERROR bad command line format\r\n");
  CHECK(s.run("mg foo O" + std::string(33, 'o') + " v\r\n") == "CLIENT_ERROR opaque token too long\r\n");
  CHECK(s.run("mg foo Tabc\r\n") == "CLIENT_ERROR bad token in command line format\r\n");
  // Refused, not pretended: S as memcached 1.6.18 does; l because no access time is kept.
  for (const char* flag : {"l", "S2"}) {
    INFO(flag);
    CHECK(s.run("mg foo " + std::string(flag) + "\r\n") == "CLIENT_ERROR invalid flag\r\n");
  }
  CHECK(s.run("ms foo 2 Eabc\r\nhi\r\n") == "CLIENT_ERROR bad token in command line format\r\n");
}

TEST_CASE("meta: E gives the new version the client's CAS", "[protocol][meta]") {
  FakeServer s;
  CHECK(s.run("ms e 2 E1000 c\r\nhi\r\n") == "HD c1000\r\n");
  CHECK(s.run("mg e c v\r\n") == "VA 2 c1000\r\nhi\r\n");
  CHECK(s.run("ms e 2 C1000 E2000\r\nho\r\nmg e c\r\n") == "HD\r\nHD c2000\r\n");
  CHECK(s.run("ms e 2 C1000 E3000\r\nno\r\n") == "EX\r\n");
  CHECK(s.run("set n 0 0 1\r\n5\r\nma n E77 c v\r\n") == "STORED\r\nVA 1 c77\r\n6\r\n");
  CHECK(s.run("md n I E88\r\nmg n c\r\n") == "HD\r\nHD c88 X W\r\n");
  CHECK(s.run("mg viv N30 E99 c\r\n") == "HD c99 W\r\n");
  // The server's own CAS values for that key go on above the client-chosen one.
  s.run("set e 0 0 1\r\nx\r\n");
  CHECK(std::stoull(cas_of(s, "e")) > 2000);
  // Even the largest CAS is taken at once (the engine computes its next CAS, it does not count up).
  CHECK(s.run("ms huge 1 E18446744073709551615 c\r\nx\r\n") == "HD c18446744073709551615\r\n");
  CHECK(s.run("set huge 0 0 1\r\ny\r\nget huge\r\n") == "STORED\r\nVALUE huge 0 1\r\ny\r\nEND\r\n");
}

// Recache tokens and stale items: the same bytes as memcached 1.6.18 on the same requests.
TEST_CASE("meta: mg N vivifies a miss and hands out one win", "[protocol][meta]") {
  FakeServer s;
  CHECK(s.run("mg viv N30 v t\r\nmg viv N30 v t\r\nmg viv v\r\n") ==
        "VA 0 t30 W\r\n\r\nVA 0 t30 Z\r\n\r\nVA 0 Z\r\n\r\n");
  CHECK(s.run("ms viv 3 T60\r\nnew\r\nmg viv v\r\n") == "HD\r\nVA 3\r\nnew\r\n");  // a new version: no marks
}

TEST_CASE("meta: mg R wins once when the TTL runs low", "[protocol][meta]") {
  FakeServer s;
  s.run("set r 0 10 1\r\nx\r\nset far 0 100 1\r\nx\r\n");
  CHECK(s.run("mg r R30 v\r\nmg r R30 v\r\nmg r R5 v\r\n") ==
        "VA 1 W\r\nx\r\nVA 1 Z\r\nx\r\nVA 1 Z\r\nx\r\n");
  CHECK(s.run("mg far R30 v\r\n") == "VA 1\r\nx\r\n");
}

TEST_CASE("meta: md I marks stale, ms I stores an older version as stale", "[protocol][meta]") {
  FakeServer s;
  s.run("set i 0 0 1\r\nx\r\n");
  CHECK(s.run("md i I T30\r\nmg i v t\r\nmg i v\r\nms i 1 C1\r\ny\r\n") ==
        "HD\r\nVA 1 t30 X W\r\nx\r\nVA 1 Z X\r\nx\r\nEX\r\n");
  s.run("set j 0 0 1\r\nx\r\n");
  CHECK(s.run("md j I\r\nms j 1 C1 I\r\nz\r\nmg j v\r\nmg j v\r\n") ==
        "HD\r\nHD\r\nVA 1 X W\r\nz\r\nVA 1 Z X\r\nz\r\n");
  s.run("set k 0 0 1\r\nx\r\n");
  CHECK(s.run("md k I x\r\nmg k v\r\n") == "HD\r\nVA 0 X W\r\n\r\n");
  CHECK(s.run("md none I\r\n") == "NF\r\n");
}

TEST_CASE("meta: the marks table stays bounded", "[protocol][meta]") {
  cachelab::protocol::MetaMarks marks(4);
  for (int i = 0; i < 100; ++i) marks.set("k" + std::to_string(i), 1, {true, false});
  CHECK(marks.get("k99", 1).stale);
  CHECK_FALSE(marks.get("k99", 2).stale);  // another version of the item
  CHECK_FALSE(marks.get("k0", 1).stale);   // dropped when the table filled up
}

TEST_CASE("meta: ms modes, flags and errors", "[protocol][meta]") {
  FakeServer s;
  CHECK(s.run("ms m1 2\r\nhi\r\n") == "HD\r\n");
  const std::string r = s.run("ms m1 2 c k s F7 T100 Oxy\r\nhi\r\n");
  CHECK(r.rfind("HD c", 0) == 0);
  CHECK(r.substr(r.find(' ', 4)) == " km1 s2 Oxy\r\n");
  CHECK(s.run("mg m1 f v t\r\n") == "VA 2 f7 t100\r\nhi\r\n");
  CHECK(s.run("ms m1 2 q\r\nhi\r\nmn\r\n") == "MN\r\n");
  CHECK(s.run("ms m2 2 ME\r\nhi\r\nms m2 2 ME\r\nhi\r\n") == "HD\r\nNS\r\n");
  CHECK(s.run("ms m2 1 MA\r\n!\r\nms m2 1 MP\r\n<\r\nmg m2 v\r\n") == "HD\r\nHD\r\nVA 4\r\n<hi!\r\n");
  CHECK(s.run("ms m3 1 MR\r\nx\r\nms m3 1 MA\r\nx\r\n") == "NS\r\nNS\r\n");
  CHECK(s.run("ms m3 1 MZ\r\nx\r\n") == "CLIENT_ERROR invalid mode for ms M token\r\n");
  // N: an append that misses creates the item, with N's TTL.
  CHECK(s.run("ms ap 1 MA N30\r\nx\r\nms ap 1 MA N30\r\ny\r\nmg ap v t\r\n") ==
        "HD\r\nHD\r\nVA 2 t30\r\nxy\r\n");
  CHECK(s.run("ms m4 2 C999\r\nhi\r\nms m4 2\r\nhi\r\nms m4 2 C1\r\nhi\r\n") == "NF\r\nHD\r\nEX\r\n");
  CHECK(s.run("ms m4 2 C" + cas_of(s, "m4") + "\r\nok\r\nmg m4 v\r\n") == "HD\r\nVA 2\r\nok\r\n");
  CHECK(s.run("ms m5 2\r\nhiX\r\n") == "CLIENT_ERROR bad data chunk\r\nERROR\r\n");
  CHECK(s.run("ms m5 abc\r\nhi\r\n") == "CLIENT_ERROR bad command line format\r\nERROR\r\n");
  CHECK(s.run("ms m6 2 Tabc\r\nhi\r\nms m6 2 Fabc\r\nhi\r\n") ==
        "CLIENT_ERROR bad token in command line format\r\nCLIENT_ERROR bad command line format\r\n");
  CHECK(s.run("ms m6 2 T-1\r\nhi\r\nmg m6 v\r\n") == "HD\r\nEN\r\n");
  CHECK(s.run("ms " + std::string(251, 'k') + " 2\r\nhi\r\nmn\r\n") ==
        "CLIENT_ERROR bad command line format\r\nERROR\r\nMN\r\n");
}

TEST_CASE("meta: base64 keys", "[protocol][meta]") {
  FakeServer s;
  s.run("set foo 0 0 2\r\nhi\r\n");
  CHECK(s.run("mg Zm9v b v k\r\n") == "VA 2 kZm9v b\r\nhi\r\n");
  CHECK(s.run("ms YmFy 2 b\r\nhi\r\nget bar\r\n") == "HD\r\nVALUE bar 0 2\r\nhi\r\nEND\r\n");
  CHECK(s.run("ms AAE= 1 b\r\nx\r\nmg AAE= b v\r\n") == "HD\r\nVA 1\r\nx\r\n");  // a binary key
  CHECK(s.run("mg !!!! b v\r\n") == "CLIENT_ERROR bad command line format\r\n");
}

TEST_CASE("meta: md", "[protocol][meta]") {
  FakeServer s;
  CHECK(s.run("md miss\r\nmd miss q\r\n") == "NF\r\nNF\r\n");
  s.run("set d 0 0 1\r\nx\r\n");
  CHECK(s.run("md d q\r\nmd d\r\n") == "NF\r\n");
  s.run("set d 0 0 1\r\nx\r\n");
  CHECK(s.run("md d C1\r\nmd d k Oxx\r\n") == "EX\r\nHD kd Oxx\r\n");
  s.run("set d2 3 0 1\r\nx\r\n");
  CHECK(s.run("md d2 x\r\nmg d2 v f\r\n") == "HD\r\nVA 0 f3\r\n\r\n");  // x keeps the item, drops the value
}

TEST_CASE("meta: ma", "[protocol][meta]") {
  FakeServer s;
  CHECK(s.run("ma miss\r\nma miss q\r\n") == "NF\r\nNF\r\n");
  CHECK(s.run("ma miss N0 J10 v\r\nma miss v\r\n") == "VA 2\r\n10\r\nVA 2\r\n11\r\n");
  const std::string r = s.run("ma miss MD D3 v t c\r\n");
  CHECK(r.rfind("VA 1 t-1 c", 0) == 0);
  CHECK(r.substr(r.size() - 3) == "8\r\n");
  CHECK(s.run("ma miss D5 q\r\nmn\r\n") == "MN\r\n");
  CHECK(s.run("mg miss v\r\n") == "VA 2\r\n13\r\n");
  CHECK(s.run("ma miss M- D100 v\r\n") == "VA 1\r\n0\r\n");
  s.run("set t 0 0 1\r\nx\r\n");
  CHECK(s.run("ma t\r\n") == "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
  CHECK(s.run("ma miss Mx\r\nma miss Dabc\r\n") ==
        "CLIENT_ERROR invalid mode for ma M token\r\nCLIENT_ERROR invalid or duplicate flag\r\n");
  CHECK(s.run("ma miss C1\r\n") == "EX\r\n");
  CHECK(s.run("ma miss T50 t\r\n") == "HD t50\r\n");
}

TEST_CASE("meta: me", "[protocol][meta]") {
  FakeServer s;
  s.run("set e 0 100 2\r\nhi\r\n");
  const std::string r = s.run("me e\r\n");
  CHECK(r.rfind("ME e exp=100 cas=", 0) == 0);
  CHECK(r.substr(r.find(" fetch")) == " fetch=no cls=1 size=59\r\n");  // 1 + 2 + 56 bytes of overhead
  CHECK(s.run("me nope\r\nme\r\n") == "EN\r\nCLIENT_ERROR bad command line format\r\n");
}
