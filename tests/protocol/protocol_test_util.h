#pragma once
// Drives the parser (and the executor) the way a connection does: bytes are appended to a
// buffer, complete requests are taken from its front, the rest waits for more bytes.
#include <memory>
#include <string>
#include <vector>

#include "cachelab/protocol/executor.h"
#include "cachelab/protocol/parser.h"

namespace cachelab::test {

// One parsed request, copied out of the parser's buffer so that parses can be compared.
struct Parsed {
  protocol::CommandId command = protocol::CommandId::kUnknown;
  std::string tokens;  // joined by single spaces
  std::string data;
  protocol::ParseError error = protocol::ParseError::kNone;
  bool noreply = false;
  std::string key;
  bool line_too_long = false;

  bool operator==(const Parsed&) const = default;
};

inline Parsed describe(const protocol::Request& r) {
  Parsed p{r.command, "", std::string(r.data), r.error, r.noreply, std::string(r.storage.key), false};
  for (auto t : r.tokens) {
    if (!p.tokens.empty()) p.tokens.push_back(' ');
    p.tokens.append(t);
  }
  return p;
}

class FeedParser {
 public:
  explicit FeedParser(protocol::ParserLimits limits = {}) : parser_(limits) {}

  // Appends bytes and returns the requests they completed.
  std::vector<Parsed> feed(std::string_view bytes) {
    buffer_.append(bytes);
    std::vector<Parsed> out;
    while (true) {
      std::size_t consumed = 0;
      const auto status = parser_.parse(buffer_, request_, consumed);
      if (status == protocol::ParseStatus::kLineTooLong) {
        Parsed refused;
        refused.line_too_long = true;
        out.push_back(refused);
        buffer_.clear();
        break;
      }
      if (status == protocol::ParseStatus::kRequest) out.push_back(describe(request_));
      buffer_.erase(0, consumed);
      if (status == protocol::ParseStatus::kNeedMore) break;
    }
    return out;
  }
  std::size_t buffered() const { return buffer_.size(); }

 private:
  protocol::RequestParser parser_;
  protocol::Request request_;
  std::string buffer_;
};

// A server without sockets: a store, a manual clock, and one executor.
class FakeServer {
 public:
  explicit FakeServer(protocol::ServerSettings settings = {}, std::uint64_t capacity = 64 << 20,
                      std::uint64_t max_item = 1024 * 1024, const char* policy = "lru")
      : clock(1'700'000'000),
        store(policy,
              StoreConfig{
                  .capacity = capacity, .overhead_bytes = kItemOverheadBytes, .max_item_size = max_item},
              {}, 2),
        state(store, clock, settings, 1),
        executor(state, state.worker_stats(0)),
        parser({64 * 1024, max_item}) {}

  // Runs a script of requests and returns every reply byte; `closed` says if one asked to close.
  std::string run(std::string_view script) {
    buffer_.append(script);
    protocol::ReplyBuffer out;
    while (!closed) {
      std::size_t consumed = 0;
      const auto status = parser.parse(buffer_, request_, consumed);
      if (status == protocol::ParseStatus::kLineTooLong) {
        out.line(protocol::reply::kLineTooLong);
        closed = true;
        break;
      }
      if (status == protocol::ParseStatus::kRequest) {
        const protocol::Outcome outcome = executor.execute(request_, out);
        if (outcome == protocol::Outcome::kDrop) out.clear();  // as ConnectionCore does
        if (outcome != protocol::Outcome::kContinue) closed = true;
      }
      buffer_.erase(0, consumed);
      if (status == protocol::ParseStatus::kNeedMore) break;
    }
    return out.bytes();
  }

  std::size_t buffered() const { return buffer_.size(); }

  protocol::ManualClock clock;
  ShardedStore store;
  protocol::ServerState state;
  protocol::Executor executor;
  protocol::RequestParser parser;
  bool closed = false;

 private:
  protocol::Request request_;
  std::string buffer_;
};

}  // namespace cachelab::test
