// The executor: replies byte for byte as memcached 1.6 gives them (checked against memcached
// 1.6.18 on the same requests), expiry with a manual clock, and the -C -A -F settings.
#include <catch2/catch.hpp>
#include <string>

#include "protocol_test_util.h"

using cachelab::test::FakeServer;
using namespace cachelab::protocol;
using namespace std::string_literals;

TEST_CASE("executor: storage commands", "[protocol][executor]") {
  FakeServer s;
  CHECK(s.run("set a 5 0 3\r\nabc\r\n") == "STORED\r\n");
  CHECK(s.run("get a\r\n") == "VALUE a 5 3\r\nabc\r\nEND\r\n");
  CHECK(s.run("add a 0 0 1\r\nx\r\n") == "NOT_STORED\r\n");
  CHECK(s.run("add b 0 0 1\r\nx\r\n") == "STORED\r\n");
  CHECK(s.run("replace c 0 0 1\r\nx\r\n") == "NOT_STORED\r\n");
  CHECK(s.run("replace b 9 0 2\r\nyy\r\n") == "STORED\r\n");
  CHECK(s.run("append a 0 0 2\r\nde\r\nprepend a 0 0 1\r\n_\r\n") == "STORED\r\nSTORED\r\n");
  CHECK(s.run("append none 0 0 1\r\nx\r\n") == "NOT_STORED\r\n");
  CHECK(s.run("get a b none\r\n") == "VALUE a 5 6\r\n_abcde\r\nVALUE b 9 2\r\nyy\r\nEND\r\n");
  CHECK(s.run("set empty 0 0 0\r\n\r\nget empty\r\n") == "STORED\r\nVALUE empty 0 0\r\n\r\nEND\r\n");
  CHECK(s.run("set bin 0 0 4\r\n\0\r\n\xff\r\nget bin\r\n"s) ==
        "STORED\r\nVALUE bin 0 4\r\n\0\r\n\xff\r\nEND\r\n"s);
}

TEST_CASE("executor: gets and cas", "[protocol][executor]") {
  FakeServer s;
  s.run("set k 0 0 1\r\nv\r\n");
  const std::string reply = s.run("gets k\r\n");
  REQUIRE(reply.rfind("VALUE k 0 1 ", 0) == 0);
  const std::string cas = reply.substr(12, reply.find('\r') - 12);
  CHECK(s.run("cas k 0 0 1 " + cas + "1\r\nw\r\n") == "EXISTS\r\n");
  CHECK(s.run("cas k 0 0 1 " + cas + "\r\nw\r\n") == "STORED\r\n");
  CHECK(s.run("cas k 0 0 1 " + cas + "\r\nx\r\n") == "EXISTS\r\n");
  CHECK(s.run("cas none 0 0 1 1\r\nx\r\n") == "NOT_FOUND\r\n");
  CHECK(s.run("cas k 0 0 1 abc\r\nx\r\n") == "CLIENT_ERROR bad command line format\r\nERROR\r\n");
  CHECK(s.run("cas k 0 0 1\r\nx\r\n") == "ERROR\r\nERROR\r\n");
  CHECK(s.state.total(Counter::kCasHits) == 1);
  CHECK(s.state.total(Counter::kCasBadval) == 2);
  CHECK(s.state.total(Counter::kCasMisses) == 1);
}

TEST_CASE("executor: delete, incr, decr, touch", "[protocol][executor]") {
  FakeServer s;
  s.run("set n 0 0 2\r\n10\r\nset t 0 0 2\r\nab\r\n");
  CHECK(s.run("incr n 5\r\n") == "15\r\n");
  CHECK(s.run("decr n 100\r\n") == "0\r\n");
  CHECK(s.run("set n 0 0 20\r\n18446744073709551615\r\nincr n 2\r\n") == "STORED\r\n1\r\n");
  CHECK(s.run("incr none 1\r\n") == "NOT_FOUND\r\n");
  CHECK(s.run("incr t 1\r\n") == "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
  CHECK(s.run("incr n abc\r\nincr n -1\r\n") ==
        "CLIENT_ERROR invalid numeric delta argument\r\nCLIENT_ERROR invalid numeric delta argument\r\n");
  CHECK(s.run("incr\r\nincr n\r\n") == "ERROR\r\nERROR\r\n");
  CHECK(s.run("touch t 10\r\ntouch none 10\r\ntouch t abc\r\ntouch t\r\n") ==
        "TOUCHED\r\nNOT_FOUND\r\nCLIENT_ERROR invalid exptime argument\r\nERROR\r\n");
  CHECK(s.run("delete t 1\r\n") ==
        "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n");
  CHECK(s.run("delete t 0\r\ndelete t\r\n") == "DELETED\r\nNOT_FOUND\r\n");
  CHECK(s.run("delete " + std::string(251, 'k') + "\r\n") == "CLIENT_ERROR bad command line format\r\n");
}

TEST_CASE("executor: noreply silences every reply that memcached silences", "[protocol][executor]") {
  FakeServer s;
  CHECK(s.run("set a 0 0 1 noreply\r\nx\r\nadd a 0 0 1 noreply\r\nx\r\nreplace a 0 0 1 noreply\r\ny\r\n"
              "append a 0 0 1 noreply\r\nz\r\nprepend a 0 0 1 noreply\r\nw\r\ncas a 0 0 1 1 noreply\r\nq\r\n"
              "set n 0 0 1 noreply\r\n1\r\nincr n 1 noreply\r\ndecr n 1 noreply\r\ntouch a 10 noreply\r\n"
              "delete n noreply\r\ndelete n 0 noreply\r\nflush_all 10 noreply\r\nverbosity 1 noreply\r\n"
              "set a 0 0 -1 noreply\r\nset a 0 0 1 noreply\r\nxyz\r\n") == "ERROR\r\n");  // the stray "\r\n"
  CHECK(s.run("get a\r\n") == "VALUE a 0 3\r\nwyz\r\nEND\r\n");
}

TEST_CASE("executor: retrieval edge cases", "[protocol][executor]") {
  FakeServer s;
  s.run("set a 0 0 1\r\nx\r\n");
  CHECK(s.run("get\r\ngets\r\n") == "ERROR\r\nERROR\r\n");
  CHECK(s.run("get a a\r\n") == "VALUE a 0 1\r\nx\r\nVALUE a 0 1\r\nx\r\nEND\r\n");
  // A bad key anywhere: only the error, none of the values before it.
  CHECK(s.run("get a " + std::string(251, 'k') + "\r\n") == "CLIENT_ERROR bad command line format\r\n");
  CHECK(s.run("gat 10\r\n") == "END\r\n");
  CHECK(s.run("gat abc a\r\n") == "CLIENT_ERROR invalid exptime argument\r\n");
  const std::string gats = s.run("gats 100 a none\r\n");
  CHECK(gats.rfind("VALUE a 0 1 ", 0) == 0);
  CHECK(gats.substr(gats.size() - 10) == "\r\nx\r\nEND\r\n");
}

TEST_CASE("executor: a multi-get longer than a line is answered whole", "[protocol][executor]") {
  FakeServer s;
  std::string line = "get";
  std::string expected;
  for (int i = 0; i < 5000; ++i) {
    const std::string key = "some-longer-key-" + std::to_string(i);
    line += " " + key;
    if (i % 3 == 0) {
      s.run("set " + key + " 0 0 1\r\nv\r\n");
      expected += "VALUE " + key + " 0 1\r\nv\r\n";
    }
  }
  REQUIRE(line.size() > 64 * 1024);
  CHECK(s.run(line + "\r\nversion\r\n") == expected + "END\r\nVERSION 1.6.18\r\n");
}

TEST_CASE("executor: a bad key late in a long multi-get ends it with the error", "[protocol][executor]") {
  FakeServer s;
  s.run("set k1 0 0 1\r\na\r\nset k40 0 0 1\r\nb\r\nset k90 0 0 1\r\nc\r\n");
  std::string line = "get";
  for (int i = 0; i < 100; ++i) line += " k" + std::to_string(i);
  // Key 50 (in the second piece of 32) is too long: the first piece's values have gone out
  // already, the second piece sends only the error, the rest of the line is dropped.
  const std::string bad = line.replace(line.find(" k50 "), 5, " " + std::string(251, 'x') + " ");
  CHECK(s.run(bad + "\r\nversion\r\n") ==
        "VALUE k1 0 1\r\na\r\nCLIENT_ERROR bad command line format\r\nVERSION 1.6.18\r\n");
  CHECK(s.run("get k1 k90\r\n") == "VALUE k1 0 1\r\na\r\nVALUE k90 0 1\r\nc\r\nEND\r\n");
}

TEST_CASE("executor: gat of many keys touches them all and ends once", "[protocol][executor]") {
  FakeServer s;
  std::string line = "gat 100";
  std::string expected;
  for (int i = 0; i < 80; ++i) {
    line += " k" + std::to_string(i);
    if (i % 10 == 0) {
      s.run("set k" + std::to_string(i) + " 0 5 1\r\nx\r\n");
      expected += "VALUE k" + std::to_string(i) + " 0 1\r\nx\r\n";
    }
  }
  CHECK(s.run(line + "\r\n") == expected + "END\r\n");
  s.clock.advance(50);  // past the 5 s they were set with: gat gave them 100 s
  CHECK(s.run("get k0 k70\r\n") == "VALUE k0 0 1\r\nx\r\nVALUE k70 0 1\r\nx\r\nEND\r\n");
}

TEST_CASE("executor: expiry rules", "[protocol][executor]") {
  FakeServer s;
  const std::int64_t now = s.clock.unix_now();
  s.run("set rel 0 10 1\r\nx\r\n");
  s.run("set abs 0 " + std::to_string(now + 20) + " 1\r\nx\r\n");
  s.run("set past 0 " + std::to_string(now - 20) + " 1\r\nx\r\n");
  s.run("set neg 0 -1 1\r\nx\r\n");
  s.run("set never 0 0 1\r\nx\r\n");
  s.run("set month 0 2592000 1\r\nx\r\n");  // exactly 30 days: still relative
  CHECK(s.run("get past neg\r\n") == "END\r\n");
  s.clock.advance(10);
  CHECK(s.run("get rel abs\r\n") == "VALUE abs 0 1\r\nx\r\nEND\r\n");
  s.run("touch abs 100\r\n");
  s.clock.advance(20);
  CHECK(s.run("get abs never\r\n") == "VALUE abs 0 1\r\nx\r\nVALUE never 0 1\r\nx\r\nEND\r\n");
  s.clock.advance(2592000);
  CHECK(s.run("get month never\r\n") == "VALUE never 0 1\r\nx\r\nEND\r\n");
  s.run("gat 5 never\r\n");
  s.clock.advance(5);
  CHECK(s.run("get never\r\n") == "END\r\n");
}

TEST_CASE("executor: flush_all now and later", "[protocol][executor]") {
  FakeServer s;
  s.run("set a 0 0 1\r\nx\r\n");
  CHECK(s.run("flush_all\r\nget a\r\n") == "OK\r\nEND\r\n");
  s.run("set a 0 0 1\r\nx\r\n");
  CHECK(s.run("flush_all 10\r\n") == "OK\r\n");
  s.clock.advance(9);
  CHECK(s.run("get a\r\n") == "VALUE a 0 1\r\nx\r\nEND\r\n");
  s.clock.advance(1);
  CHECK(s.run("get a\r\n") == "END\r\n");
  CHECK(s.run("flush_all abc\r\nflush_all 0 noreply x\r\n") ==
        "CLIENT_ERROR invalid exptime argument\r\nERROR\r\n");
  CHECK(s.state.total(Counter::kCmdFlush) == 3);
}

TEST_CASE("executor: data errors", "[protocol][executor]") {
  FakeServer s({}, 64 << 20, 100);
  s.run("set a 0 0 1\r\nx\r\n");
  CHECK(s.run("set a 0 0 1\r\nxyz\r\nget a\r\n") ==
        "CLIENT_ERROR bad data chunk\r\nERROR\r\nVALUE a 0 1\r\nx\r\nEND\r\n");
  CHECK(s.run("set a 0 0 -1\r\nx\r\n") == "CLIENT_ERROR bad command line format\r\nERROR\r\n");
  CHECK(s.run("set a 0 0\r\nx\r\n") == "ERROR\r\nERROR\r\n");
  // Too large: swallowed, the old value removed (set only), the connection goes on.
  CHECK(s.run("append a 0 0 200\r\n" + std::string(200, 'v') + "\r\nget a\r\n") ==
        "SERVER_ERROR object too large for cache\r\nVALUE a 0 1\r\nx\r\nEND\r\n");
  CHECK(s.run("set a 0 0 200\r\n" + std::string(200, 'v') + "\r\nget a\r\n") ==
        "SERVER_ERROR object too large for cache\r\nEND\r\n");
  CHECK(s.run("set a 0 0 200 noreply\r\n" + std::string(200, 'v') + "\r\nversion\r\n").rfind("VERSION ", 0) ==
        0);
  // Append past the item size limit: memcached cannot make the joined item, NOT_STORED, the old
  // value stays (checked against memcached 1.6.18).
  s.run("set b 0 0 60\r\n" + std::string(60, 'b') + "\r\n");
  CHECK(s.run("append b 0 0 60\r\n" + std::string(60, 'b') + "\r\nget b\r\n") ==
        "NOT_STORED\r\nVALUE b 0 60\r\n" + std::string(60, 'b') + "\r\nEND\r\n");
  CHECK(s.state.total(Counter::kStoreTooLarge) == 3);
}

// memcached accepts them and memaslap sends them (an 8-byte binary prefix on every key); a
// carriage return inside a key is still refused.
TEST_CASE("executor: keys with control bytes are accepted as memcached does, but not CR", "[protocol][executor]") {
  FakeServer s;
  const std::string key = std::string(8, '\x10') + "k4o9mqJF";
  CHECK(s.run("set " + key + " 0 0 1\r\nx\r\n") == "STORED\r\n");
  CHECK(s.run("get " + key + "\r\n") == "VALUE " + key + " 0 1\r\nx\r\nEND\r\n");
  CHECK(s.run("set a\x7f 0 0 1\r\n5\r\nincr a\x7f 1\r\n") == "STORED\r\n6\r\n");
  CHECK(s.run("get a\rb\r\n") == "CLIENT_ERROR bad command line format\r\n");
}

TEST_CASE("executor: admin commands", "[protocol][executor]") {
  ServerSettings settings;
  settings.version = "1.6.0-test";
  FakeServer s(settings);
  CHECK(s.run("version\r\n") == "VERSION 1.6.0-test\r\n");
  CHECK(s.run("verbosity\r\nverbosity 1\r\nverbosity a\r\n") ==
        "ERROR\r\nOK\r\nCLIENT_ERROR bad command line format\r\n");
  CHECK(s.state.verbosity.load() == 1);
  CHECK(s.run("bogus\r\n\r\n") == "ERROR\r\nERROR\r\n");
  CHECK(s.run("shutdown\r\n") == "ERROR: shutdown not enabled\r\n");
  CHECK(s.run("stats reset\r\nstats nonsense\r\nstats detail\r\n") ==
        "RESET\r\nERROR\r\nCLIENT_ERROR usage: stats detail on|off|dump\r\n");
  CHECK_FALSE(s.closed);
  CHECK(s.run("quit\r\nversion\r\n") == "");
  CHECK(s.closed);
}

TEST_CASE("executor: stats reports memcached's fields and the policy", "[protocol][executor]") {
  FakeServer s;
  s.run("set a 0 0 1\r\nx\r\nget a\r\nget b\r\ndelete b\r\n");
  const std::string stats = s.run("stats\r\n");
  for (const char* field : {"pid", "uptime", "time", "version", "pointer_size", "curr_connections",
                            "total_connections", "cmd_get", "cmd_set", "cmd_flush", "cmd_touch", "get_hits",
                            "get_misses", "get_expired", "delete_hits", "delete_misses", "incr_hits",
                            "incr_misses", "decr_hits", "decr_misses", "cas_hits", "cas_misses", "cas_badval",
                            "touch_hits", "touch_misses", "bytes", "curr_items", "total_items", "evictions",
                            "expired_unfetched", "limit_maxbytes", "threads", "policy"}) {
    INFO(field);
    CHECK(stats.find("STAT "s + field + " ") != std::string::npos);
  }
  CHECK(stats.find("STAT cmd_get 2\r\n") != std::string::npos);
  CHECK(stats.find("STAT get_hits 1\r\n") != std::string::npos);
  CHECK(stats.find("STAT get_misses 1\r\n") != std::string::npos);
  CHECK(stats.find("STAT delete_misses 1\r\n") != std::string::npos);
  CHECK(stats.find("STAT curr_items 1\r\n") != std::string::npos);
  CHECK(stats.find("STAT time 1700000000\r\n") != std::string::npos);
  CHECK(stats.find("STAT policy lru\r\n") != std::string::npos);
  CHECK(stats.substr(stats.size() - 5) == "END\r\n");
  s.run("stats reset\r\n");
  CHECK(s.run("stats\r\n").find("STAT cmd_get 0\r\n") != std::string::npos);
  const std::string settings = s.run("stats settings\r\n");
  CHECK(settings.find("STAT item_size_max 1048576\r\n") != std::string::npos);
  CHECK(settings.find("STAT cas_enabled yes\r\n") != std::string::npos);
  CHECK(s.run("stats items\r\n").find("STAT items:1:number 1\r\n") != std::string::npos);
}

TEST_CASE("executor: -C, -F and -A", "[protocol][executor]") {
  ServerSettings settings;
  settings.cas_enabled = false;
  settings.flush_enabled = false;
  settings.allow_shutdown = true;
  FakeServer s(settings);
  bool shutdown_called = false;
  bool shutdown_graceful = true;
  s.state.request_shutdown = [&](bool graceful) {
    shutdown_called = true;
    shutdown_graceful = graceful;
  };
  CHECK(s.run("set k 0 0 1\r\nv\r\ngets k\r\n") == "STORED\r\nVALUE k 0 1 0\r\nv\r\nEND\r\n");
  CHECK(s.run("cas k 0 0 1 7\r\nw\r\ncas k 0 0 1 0\r\nw\r\ncas z 0 0 1 0\r\nw\r\n") ==
        "EXISTS\r\nSTORED\r\nNOT_FOUND\r\n");
  CHECK(s.run("flush_all\r\nget k\r\n") ==
        "CLIENT_ERROR flush_all not allowed\r\nVALUE k 0 1\r\nw\r\nEND\r\n");
  // memcached 1.6.18's words for a mode it does not know; nothing stops.
  CHECK(s.run("shutdown now\r\n") == "CLIENT_ERROR invalid shutdown mode\r\n");
  CHECK(s.run("shutdown graceful now\r\n") == "CLIENT_ERROR invalid shutdown mode\r\n");
  CHECK_FALSE(shutdown_called);
  CHECK(s.run("shutdown\r\n") == "");
  CHECK(shutdown_called);
  CHECK_FALSE(shutdown_graceful);
  CHECK(s.closed);
}

TEST_CASE("executor: shutdown graceful", "[protocol][executor]") {
  ServerSettings settings;
  settings.allow_shutdown = true;
  FakeServer s(settings);
  bool shutdown_graceful = false;
  s.state.request_shutdown = [&](bool graceful) { shutdown_graceful = graceful; };
  CHECK(s.run("shutdown graceful\r\n") == "");
  CHECK(shutdown_graceful);
  CHECK(s.closed);
}
