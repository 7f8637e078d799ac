// The incremental parser: every command, every split point, pipelined batches, every error path.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "protocol_test_util.h"

using cachelab::test::FeedParser;
using cachelab::test::Parsed;
using namespace cachelab::protocol;
using namespace std::string_literals;

namespace {

// A conversation touching every command, with data blocks holding \r\n, spaces and NUL bytes.
const std::string kScript =
    "set a 1 0 5\r\nhello\r\n"
    "add b 0 100 4 noreply\r\nb\r\nb\r\n"
    "replace a 2 0 0\r\n\r\n"
    "append a 0 0 3\r\n\0\0\0\r\n"
    "prepend a 0 0 1\r\n \r\n"
    "cas a 0 0 2 99 noreply\r\nzz\r\n"
    "get a b c\r\ngets a\r\ngat 10 a\r\ngats 0 a b\r\n"
    "touch a 10\r\ndelete a\r\ndelete b 0 noreply\r\nincr n 5\r\ndecr n 7 noreply\r\n"
    "flush_all\r\nflush_all 10 noreply\r\nversion\r\nverbosity 1\r\nstats\r\nstats settings\r\n"
    "mn\r\nmg a v\r\nms a 2 T10\r\nhi\r\nmd a q\r\nma n\r\nme a\r\nshutdown\r\nquit\r\n"s;

const std::vector<CommandId> kScriptCommands = {
    CommandId::kSet, CommandId::kAdd, CommandId::kReplace, CommandId::kAppend, CommandId::kPrepend,
    CommandId::kCas, CommandId::kGet, CommandId::kGets, CommandId::kGat, CommandId::kGats,
    CommandId::kTouch, CommandId::kDelete, CommandId::kDelete, CommandId::kIncr, CommandId::kDecr,
    CommandId::kFlushAll, CommandId::kFlushAll, CommandId::kVersion, CommandId::kVerbosity,
    CommandId::kStats, CommandId::kStats, CommandId::kMetaNoop, CommandId::kMetaGet, CommandId::kMetaSet,
    CommandId::kMetaDelete, CommandId::kMetaArith, CommandId::kMetaDebug, CommandId::kShutdown,
    CommandId::kQuit};

std::vector<Parsed> parse_whole(const std::string& bytes, ParserLimits limits = {}) {
  FeedParser p(limits);
  return p.feed(bytes);
}

ParseError first_error(const std::string& bytes) {
  const auto r = parse_whole(bytes);
  REQUIRE(!r.empty());
  return r.front().error;
}

}  // namespace

TEST_CASE("parser: every command is recognised with its tokens and data", "[protocol][parser]") {
  const auto requests = parse_whole(kScript);
  REQUIRE(requests.size() == kScriptCommands.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    CHECK(requests[i].command == kScriptCommands[i]);
    CHECK(requests[i].error == ParseError::kNone);
  }
  CHECK(requests[0] == Parsed{CommandId::kSet, "set a 1 0 5", "hello", ParseError::kNone, false, "a", false});
  CHECK(requests[1] ==
        Parsed{CommandId::kAdd, "add b 0 100 4 noreply", "b\r\nb", ParseError::kNone, true, "b", false});
  CHECK(requests[2].data.empty());
  CHECK(requests[3].data == "\0\0\0"s);
  CHECK(requests[5].noreply);
  CHECK(requests[6].tokens == "get a b c");
  CHECK(requests[23].data == "hi");
  CHECK(requests[23].key == "a");
}

TEST_CASE("parser: a request split at any byte parses the same", "[protocol][parser]") {
  const auto whole = parse_whole(kScript);
  for (std::size_t cut = 0; cut <= kScript.size(); ++cut) {
    FeedParser p;
    auto got = p.feed(kScript.substr(0, cut));
    const auto rest = p.feed(kScript.substr(cut));
    got.insert(got.end(), rest.begin(), rest.end());
    REQUIRE(got == whole);
    REQUIRE(p.buffered() == 0);
  }
}

TEST_CASE("parser: one byte at a time parses the same", "[protocol][parser]") {
  const auto whole = parse_whole(kScript);
  FeedParser p;
  std::vector<Parsed> got;
  for (char c : kScript) {
    const auto some = p.feed(std::string_view(&c, 1));
    got.insert(got.end(), some.begin(), some.end());
  }
  CHECK(got == whole);
}

TEST_CASE("parser: a pipelined batch yields every request and consumes every byte", "[protocol][parser]") {
  std::string batch;
  for (int i = 0; i < 1000; ++i)
    batch += "set k" + std::to_string(i) + " 0 0 1\r\nx\r\nget k" + std::to_string(i) + "\r\n";
  FeedParser p;
  const auto r = p.feed(batch);
  REQUIRE(r.size() == 2000);
  CHECK(r[1998].tokens == "set k999 0 0 1");
  CHECK(r[1999].tokens == "get k999");
  CHECK(p.buffered() == 0);
}

TEST_CASE("parser: lines, spaces and terminators", "[protocol][parser]") {
  FeedParser p;
  CHECK(p.feed("get a\n").at(0).tokens == "get a");  // a bare \n ends a line too
  CHECK(p.feed("   get  a   b \r\n").at(0).tokens == "get a b");
  CHECK(p.feed("get a").empty());  // no newline yet
  CHECK(p.buffered() == 5);
  CHECK(p.feed("\r\n").size() == 1);
}

TEST_CASE("parser: unknown commands and empty lines", "[protocol][parser]") {
  CHECK(first_error("bogus\r\n") == ParseError::kUnknownCommand);
  CHECK(first_error("\r\n") == ParseError::kUnknownCommand);
  CHECK(first_error("GET a\r\n") == ParseError::kUnknownCommand);  // commands are case-sensitive
}

TEST_CASE("parser: storage commands with the wrong number of tokens read no data", "[protocol][parser]") {
  CHECK(first_error("set a 0 0\r\n") == ParseError::kUnknownCommand);
  CHECK(first_error("set a 0 0 1 noreply x\r\n") == ParseError::kUnknownCommand);
  CHECK(first_error("cas a 0 0 1\r\n") == ParseError::kUnknownCommand);
  const auto r = parse_whole("set a 0 0\r\nx\r\n");
  REQUIRE(r.size() == 2);  // the data line is then read as a command, as memcached does
  CHECK(r[1].tokens == "x");
}

TEST_CASE("parser: bad numbers and keys", "[protocol][parser]") {
  for (const std::string line : {"set a x 0 1", "set a -1 0 1", "set a 99999999999999999999 0 1", "set a 0 x 1",
                                 "set a 0 0 -1", "set a 0 0 1x", "cas a 0 0 1 -5", "set a\rb 0 0 1"}) {
    INFO(line);
    const auto r = parse_whole(line + "\r\nx\r\n");
    REQUIRE(r.size() == 2);  // no data block is read after a bad header
    CHECK(r[0].error == ParseError::kBadFormat);
  }
  CHECK(first_error("set " + std::string(251, 'k') + " 0 0 1\r\nx\r\n") == ParseError::kBadFormat);
  CHECK(first_error("set " + std::string(250, 'k') + " 0 0 1\r\nx\r\n") == ParseError::kNone);
  CHECK(first_error("set k 0 -1 1\r\nx\r\n") == ParseError::kNone);  // negative exptime is valid
  // As memcached: flags keep their low 32 bits, the exptime its low 32 bits as a signed number.
  const auto wide = parse_whole("set a 4294967296 4294967295 1\r\nx\r\n");
  REQUIRE(wide.size() == 1);
  CHECK(wide[0].error == ParseError::kNone);
  // Control bytes and tabs are part of a key, as in memcached (memaslap's keys carry them).
  CHECK(first_error("set a\x01 0 0 1\r\nx\r\n") == ParseError::kNone);
  CHECK(first_error("set a\tb 0 0 1\r\nx\r\n") == ParseError::kNone);
}

TEST_CASE("parser: a data block not ended by CRLF", "[protocol][parser]") {
  const auto r = parse_whole("set a 0 0 1\r\nxyz\r\n");
  REQUIRE(r.size() == 2);  // the block is the 3 bytes "xyz"; what is left is an empty line
  CHECK(r[0].error == ParseError::kBadDataChunk);
  CHECK(r[0].data == "x");
  CHECK(r[1].error == ParseError::kUnknownCommand);
}

TEST_CASE("parser: a too-large value is swallowed, split anywhere, and parsing goes on",
          "[protocol][parser]") {
  const std::string big = "set big 0 0 2000\r\n" + std::string(2000, 'v') + "\r\nget a\r\n";
  for (std::size_t cut = 0; cut <= big.size(); ++cut) {
    FeedParser p({64 * 1024, 1000});
    auto r = p.feed(big.substr(0, cut));
    // The refusal comes only once the whole block is gone.
    if (cut < big.size() - 7) CHECK(r.empty());
    const auto rest = p.feed(big.substr(cut));
    r.insert(r.end(), rest.begin(), rest.end());
    REQUIRE(r.size() == 2);
    CHECK(r[0] == Parsed{CommandId::kSet, "", "", ParseError::kTooLarge, false, "big", false});
    CHECK(r[1].tokens == "get a");
    CHECK(p.buffered() == 0);
  }
  const auto quiet =
      parse_whole("set big 0 0 20 noreply\r\n" + std::string(20, 'v') + "\r\n", {64 * 1024, 10});
  REQUIRE(quiet.size() == 1);
  CHECK(quiet[0].noreply);
}

TEST_CASE("parser: a line past the bound is refused, not buffered forever", "[protocol][parser]") {
  FeedParser p({100, 1000});
  CHECK(p.feed(std::string(100, 'g')).empty());
  const auto r = p.feed("g");
  REQUIRE(r.size() == 1);
  CHECK(r[0].line_too_long);
  const auto q = parse_whole("set " + std::string(200, 'k') + " 0 0 1\r\n", {100, 1000});
  REQUIRE(q.size() == 1);
  CHECK(q[0].line_too_long);
  // A get whose one key is longer than the bound cannot be cut between keys either.
  const auto g = parse_whole("get " + std::string(200, 'k') + "\r\n", {100, 1000});
  REQUIRE(!g.empty());
  CHECK(g.back().line_too_long);
}

TEST_CASE("parser: a multi-get longer than the bound comes in pieces of whole keys", "[protocol][parser]") {
  std::string line = "gets";
  for (int i = 0; i < 100; ++i) line += " key" + std::to_string(i);
  line += "\r\n";
  for (std::size_t cut = 0; cut <= line.size(); cut += 13) {
    FeedParser p({64, 1000});
    auto pieces = p.feed(line.substr(0, cut));
    const auto rest = p.feed(line.substr(cut) + "version\r\n");
    pieces.insert(pieces.end(), rest.begin(), rest.end());
    REQUIRE(pieces.size() >= 3);
    std::string keys;
    for (std::size_t i = 0; i + 1 < pieces.size(); ++i) {
      CHECK(pieces[i].command == CommandId::kGets);
      CHECK(pieces[i].tokens.rfind("gets", 0) == 0);
      keys += pieces[i].tokens.substr(4);
    }
    CHECK("gets" + keys + "\r\n" == line);  // every key once, in order
    CHECK(pieces.back().tokens == "version");
  }
}

TEST_CASE("parser: a get of many keys is handed out a few keys at a time", "[protocol][parser]") {
  std::string line = "get";
  for (int i = 0; i < 100; ++i) line += " k" + std::to_string(i);
  const auto pieces = parse_whole(line + "\r\nversion\r\n");
  REQUIRE(pieces.size() == 5);  // 32 + 32 + 32 + 4 keys, then version
  std::string keys;
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(pieces[i].command == CommandId::kGet);
    keys += pieces[i].tokens.substr(3);
  }
  CHECK("get" + keys == line);
  CHECK(pieces[0].tokens == "get k0 k1 k2 k3 k4 k5 k6 k7 k8 k9 k10 k11 k12 k13 k14 k15 k16 k17 k18 k19 k20 "
                            "k21 k22 k23 k24 k25 k26 k27 k28 k29 k30 k31");
  CHECK(pieces[3].tokens == "get k96 k97 k98 k99");
  CHECK(pieces[4].tokens == "version");
}

TEST_CASE("parser: a gat of many keys keeps its exptime in every piece", "[protocol][parser]") {
  std::string line = "gats 77";
  for (int i = 0; i < 70; ++i) line += " k" + std::to_string(i);
  for (std::size_t cut = 0; cut <= line.size() + 2; cut += 11) {
    FeedParser p({64, 1000});  // and lines longer than the bound
    auto pieces = p.feed((line + "\r\n").substr(0, cut));
    const auto rest = p.feed((line + "\r\n").substr(cut));
    pieces.insert(pieces.end(), rest.begin(), rest.end());
    std::string keys;
    for (const auto& piece : pieces) {
      REQUIRE(piece.command == CommandId::kGats);
      REQUIRE(piece.tokens.rfind("gats 77", 0) == 0);
      keys += piece.tokens.substr(7);
    }
    CHECK("gats 77" + keys == line);
  }
}

TEST_CASE("parser: meta set headers", "[protocol][parser]") {
  CHECK(first_error("ms a\r\n") == ParseError::kBadFormat);
  CHECK(first_error("ms a x\r\n") == ParseError::kBadFormat);
  const auto r = parse_whole("ms a 20 T1\r\n" + std::string(20, 'v') + "\r\n", {64 * 1024, 10});
  REQUIRE(r.size() == 1);
  CHECK(r[0].error == ParseError::kTooLarge);
}

TEST_CASE("parser: number and key helpers", "[protocol][parser]") {
  // memcached 1.6.18's safe_strto* readings, checked against it (see request.h).
  std::uint32_t u32 = 0;
  std::int32_t i32 = 0;
  std::uint64_t u64 = 0;
  CHECK(parse_u32("4294967295", &u32));
  CHECK(u32 == 4294967295u);
  CHECK(parse_u32("4294967296", &u32));  // the low 32 bits
  CHECK(u32 == 0);
  CHECK(parse_u32("+1", &u32));
  CHECK(u32 == 1);
  CHECK_FALSE(parse_u32("", &u32));
  CHECK_FALSE(parse_u32("-1", &u32));
  CHECK_FALSE(parse_u32("1x", &u32));
  CHECK(parse_i32("-5", &i32));
  CHECK(i32 == -5);
  CHECK(parse_i32("4294967295", &i32));  // Django's timeout 0 through libmemcached: -1
  CHECK(i32 == -1);
  CHECK(parse_i32("2147483648", &i32));
  CHECK(i32 == INT32_MIN);
  CHECK(parse_i32(std::string(70, '0') + "7", &i32));
  CHECK(i32 == 7);
  CHECK_FALSE(parse_i32("-", &i32));
  CHECK_FALSE(parse_i32("99999999999999999999", &i32));  // over a long: ERANGE
  CHECK(parse_u64_token("18446744073709551615", &u64));
  CHECK_FALSE(parse_u64_token("18446744073709551616", &u64));
  CHECK_FALSE(parse_u64_token("-1", &u64));
  CHECK(parse_u64_token("-0", &u64));
  CHECK(valid_key(std::string(250, 'k')));
  CHECK_FALSE(valid_key(std::string(251, 'k')));
  CHECK_FALSE(valid_key(""));
  CHECK(valid_key("a\x7f"));
  CHECK(valid_key(std::string(8, '\x10') + "k"));
  CHECK_FALSE(valid_key("a b"));
  CHECK_FALSE(valid_key("a\rb"));
}

TEST_CASE("parser: a long multi-get fed in random pieces, then more requests", "[protocol][parser]") {
  // The parser remembers how far the bytes it kept are free of a newline; whatever the pieces,
  // every key comes once, in order, and the requests after the line are found.
  std::string line = "get";
  for (int i = 0; i < 2000; ++i) line += " k" + std::to_string(i);
  const std::string stream = line + "\r\nversion\r\nget a b\r\n";
  for (unsigned seed = 1; seed <= 20; ++seed) {
    FeedParser p({256, 1000});
    std::vector<Parsed> pieces;
    unsigned rng = seed;
    for (std::size_t at = 0; at < stream.size();) {
      rng = rng * 1103515245u + 12345u;
      const std::size_t n = std::min<std::size_t>(stream.size() - at, 1 + (rng >> 16) % 300);
      const auto got = p.feed(stream.substr(at, n));
      pieces.insert(pieces.end(), got.begin(), got.end());
      at += n;
    }
    REQUIRE(pieces.size() >= 3);
    std::string keys;
    for (std::size_t i = 0; i + 2 < pieces.size(); ++i) {
      REQUIRE(pieces[i].command == CommandId::kGet);
      keys += pieces[i].tokens.substr(3);
    }
    CHECK("get" + keys == line);
    CHECK(pieces[pieces.size() - 2].tokens == "version");
    CHECK(pieces.back().tokens == "get a b");
    CHECK(p.buffered() == 0);
  }
}
