// The -Y gate as a pure function of bytes: memcached 1.6.18's replies (captured from it with the
// same input, tests/integration/test_auth.py compares the two live) and its bounds.
#include <catch2/catch.hpp>
#include <string>

#include "cachelab/protocol/ascii_auth.h"

using cachelab::protocol::AsciiAuthGate;
using cachelab::protocol::AuthTable;
using cachelab::protocol::CommandStats;
using cachelab::protocol::Counter;
using cachelab::protocol::ReplyBuffer;

namespace {

struct Session {
  std::shared_ptr<const AuthTable> table = AuthTable::parse("alice:secret-a\nbob:pass:with:colons\n", nullptr);
  AsciiAuthGate gate;
  CommandStats stats;
  std::string pending;
  bool closed = false;

  // Feeds `bytes` and runs the gate until it needs more; returns what it answered.
  std::string feed(std::string_view bytes) {
    pending.append(bytes);
    ReplyBuffer out;
    while (!gate.authenticated()) {
      std::size_t consumed = 0;
      const auto step = gate.consume(pending, consumed, table.get(), out, stats);
      pending.erase(0, consumed);
      if (step == AsciiAuthGate::Step::kClose) closed = true;
      if (step != AsciiAuthGate::Step::kReplied) break;
    }
    return out.bytes();
  }
};

}  // namespace

TEST_CASE("auth table: user:password lines", "[protocol][auth]") {
  std::string error;
  auto t = AuthTable::parse("alice:secret-a\r\nbob:pass:with:colons\n\ncarol:\n", &error);
  REQUIRE(t);
  CHECK(t->size() == 3);
  CHECK(t->check("alice", "secret-a"));
  CHECK(t->check("bob", "pass:with:colons"));  // the password runs to the line's end
  CHECK(t->check("carol", ""));
  CHECK_FALSE(t->check("alice", "secret-"));
  CHECK_FALSE(t->check("alice", "secret-ab"));
  CHECK_FALSE(t->check("alice", "secret-a\r"));
  CHECK_FALSE(t->check("bob", "secret-a"));  // another user's password
  CHECK_FALSE(t->check("", ""));
  CHECK_FALSE(AuthTable::parse("alice:a\nno colon\n", &error));
  CHECK(error == "line 2 is not user:password");
}

TEST_CASE("auth gate: everything is refused until the connection is in", "[protocol][auth]") {
  Session s;
  CHECK(s.feed("get foo\r\nversion\r\nset foo 0 0\r\nset foo 0 0 xx\r\n") ==
        "CLIENT_ERROR unauthenticated\r\nCLIENT_ERROR unauthenticated\r\n"
        "CLIENT_ERROR unauthenticated\r\nCLIENT_ERROR unauthenticated\r\n");
  CHECK(s.feed("set foo 0 0 3\r\nabc\r\n") == "CLIENT_ERROR bad authentication token format\r\n");
  CHECK(s.feed("set foo 0 0 3\r\nabcXY") == "CLIENT_ERROR bad command line termination\r\n");
  CHECK(s.feed("set foo 0 0 11\r\nalice wrong\r\n") == "CLIENT_ERROR authentication failure\r\n");
  CHECK(s.stats.get(Counter::kAuthCmds) == 1);
  CHECK(s.stats.get(Counter::kAuthErrors) == 1);
  CHECK_FALSE(s.gate.authenticated());
  // The value may arrive in pieces.
  CHECK(s.feed("set foo 0 0 14\r\nalice sec") == "");
  CHECK(s.feed("ret-a\r") == "");
  CHECK(s.feed("\nget foo\r\n") == "STORED\r\n");
  CHECK(s.gate.authenticated());
  CHECK(s.pending == "get foo\r\n");  // left for the parser
  CHECK(s.stats.get(Counter::kAuthCmds) == 2);
  CHECK(s.stats.get(Counter::kAuthErrors) == 1);
}

TEST_CASE("auth gate: bounds", "[protocol][auth]") {
  Session s;
  CHECK(s.feed(std::string(2048, 'x')) == "");
  CHECK_FALSE(s.closed);
  CHECK(s.feed("x") == "");  // over 2 KiB with no newline: junk, close
  CHECK(s.closed);
  Session big;
  big.feed("set k 0 0 70000\r\n");
  CHECK(big.closed);  // no auth file holds a 64 KiB token
  Session nul;
  CHECK(nul.feed(std::string("set k 0 0 17\r\nalice secret-a\0zz\r\n", 33)) == "STORED\r\n");
}
