// ConnectionCore, driven as a transport drives it: bytes arrive in pieces, replies leave in one
// write per batch, in order, and the input buffer stays within one maximum request.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <string>

#include "../protocol/protocol_test_util.h"
#include "connection_core.h"

using namespace cachelab;
using server::ConnectionCore;
using Next = ConnectionCore::Next;

namespace {

// Copies `bytes` into the core's read space, as a socket read would, in reads of at most `chunk`.
void deliver(ConnectionCore& core, std::string_view bytes, std::size_t chunk = 1 << 30) {
  while (!bytes.empty()) {
    const auto space = core.read_space();
    REQUIRE(!space.empty());
    const std::size_t n = std::min({space.size(), bytes.size(), chunk});
    std::memcpy(space.data(), bytes.data(), n);
    core.received(n);
    bytes.remove_prefix(n);
  }
}

struct Fixture {
  Fixture() { server.state.connections.current.store(1); }
  test::FakeServer server;
};

}  // namespace

TEST_CASE_METHOD(Fixture, "connection core: a request split over reads is answered once it is whole") {
  ConnectionCore core(server.state, server.state.worker_stats(0), 7);
  deliver(core, "get a");
  CHECK(core.process() == Next::kRead);
  CHECK(core.pending_replies().empty());
  deliver(core, "\r\n");
  REQUIRE(core.process() == Next::kWrite);
  CHECK(core.pending_replies() == "END\r\n");
  CHECK(core.written(5));
  CHECK(core.pending_replies().empty());
  CHECK(core.process() == Next::kRead);
}

TEST_CASE_METHOD(Fixture, "connection core: the requests of one read leave in one write, in order") {
  ConnectionCore core(server.state, server.state.worker_stats(0), 7);
  deliver(core, "set k 0 0 2\r\nhi\r\nget k\r\ndelete k\r\nget k\r\n");
  REQUIRE(core.process() == Next::kWrite);
  CHECK(core.pending_replies() == "STORED\r\nVALUE k 0 2\r\nhi\r\nEND\r\nDELETED\r\nEND\r\n");
}

TEST_CASE_METHOD(Fixture, "connection core: quit closes after the replies before it") {
  SECTION("alone: close at once") {
    ConnectionCore core(server.state, server.state.worker_stats(0), 7);
    deliver(core, "quit\r\n");
    CHECK(core.process() == Next::kClose);
  }
  SECTION("after a get: its reply first, then close") {
    ConnectionCore core(server.state, server.state.worker_stats(0), 7);
    deliver(core, "get a\r\nquit\r\nget b\r\n");
    REQUIRE(core.process() == Next::kWrite);
    CHECK(core.pending_replies() == "END\r\n");
    CHECK_FALSE(core.written(5));
  }
}

TEST_CASE_METHOD(Fixture, "connection core: a line too long is refused and the connection closes") {
  ConnectionCore core(server.state, server.state.worker_stats(0), 7);
  deliver(core, std::string(70 * 1024, 'g'), 4096);
  REQUIRE(core.process() == Next::kWrite);
  CHECK(core.pending_replies() == "CLIENT_ERROR line too long\r\n");
  CHECK_FALSE(core.written(core.pending_replies().size()));
}

TEST_CASE_METHOD(Fixture, "connection core: a 1 MB value arrives in pieces, then the buffer shrinks back") {
  ConnectionCore core(server.state, server.state.worker_stats(0), 7);
  const std::string value(1000 * 1000, 'v');
  const std::string request = "set big 0 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\n";
  std::string_view rest = request;
  std::size_t largest_space = 0;
  while (!rest.empty()) {  // a read, then process as a transport does
    const std::size_t n = std::min<std::size_t>(rest.size(), 16 * 1024);
    largest_space = std::max(largest_space, core.read_space().size());
    deliver(core, rest.substr(0, n));
    rest.remove_prefix(n);
    if (!rest.empty()) CHECK(core.process() == Next::kRead);
  }
  REQUIRE(core.process() == Next::kWrite);
  CHECK(core.pending_replies() == "STORED\r\n");
  CHECK(core.written(8));
  CHECK(largest_space <= 2 * value.size() + 64 * 1024);  // never past one maximum request + slack
  CHECK(core.read_space().size() <= 16 * 1024);         // the large buffer was given back
}

TEST_CASE_METHOD(Fixture, "connection core: parsing pauses at 1 MiB of replies until they are written") {
  ConnectionCore core(server.state, server.state.worker_stats(0), 7);
  const std::string value(600 * 1000, 'x');
  deliver(core, "set big 0 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\n");
  REQUIRE(core.process() == Next::kWrite);
  CHECK(core.written(core.pending_replies().size()));
  deliver(core, "get big\r\nget big\r\nget big\r\n");
  const std::size_t one = ("VALUE big 0 600000\r\n" + value + "\r\nEND\r\n").size();
  REQUIRE(core.process() == Next::kWrite);
  CHECK(core.pending_replies().size() == 2 * one);  // the second passed the mark: stop there
  CHECK(core.written(2 * one));
  REQUIRE(core.process() == Next::kWrite);
  CHECK(core.pending_replies().size() == one);
}

TEST_CASE_METHOD(Fixture, "connection core: its end is counted in curr_connections") {
  {
    ConnectionCore core(server.state, server.state.worker_stats(0), 7);
    CHECK(server.state.connections.current.load() == 1);
  }
  CHECK(server.state.connections.current.load() == 0);
}
