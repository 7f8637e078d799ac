#pragma once
// memcached's ASCII authentication (-Y FILE). Until a connection authenticates, every request
// line is refused with "CLIENT_ERROR unauthenticated" and touches nothing; a connection
// authenticates with a `set` whose value is "user password" (key, flags and TTL are ignored),
// answered STORED, or "CLIENT_ERROR authentication failure" for a wrong pair. The gate reads
// only its own bytes: no request reaches the parser or the store before it lets the connection in.
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cachelab/protocol/reply.h"
#include "cachelab/protocol/stats.h"

namespace cachelab::protocol {

// The users of an auth file: `user:password` lines (the password runs to the end of the line).
class AuthTable {
 public:
  // Null with a reason in `error` (naming the 1-based line) when a non-empty line has no ':'.
  static std::shared_ptr<const AuthTable> parse(std::string_view text, std::string* error);

  // Compares every entry, whatever matches: the time taken does not depend on where a user's
  // name or password first differs, nor on which entry (if any) matches.
  bool check(std::string_view user, std::string_view password) const noexcept;
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// The table in force, swapped whole on a reload (SIGHUP) while connections read it.
class AuthTableSlot {
 public:
  std::shared_ptr<const AuthTable> get() const {
    std::lock_guard lock(mutex_);
    return table_;
  }
  void set(std::shared_ptr<const AuthTable> table) {
    std::lock_guard lock(mutex_);
    table_ = std::move(table);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const AuthTable> table_;
};

// One connection's side of the exchange. A pure function of the bytes it is given.
class AsciiAuthGate {
 public:
  enum class Step {
    kNeedMore,  // consumed what it could; call again with more bytes
    kReplied,   // consumed one request and wrote its reply (the connection may now be in)
    kClose,     // junk that can never be a request: close without a reply
  };
  // A request line this long without a newline is junk, as memcached judges it.
  static constexpr std::size_t kMaxLine = 2048;
  // A token value larger than this cannot be "user password" from any auth file: close.
  static constexpr std::size_t kMaxToken = 64 * 1024;

  // Reads at most one request from `input`; `consumed` is how many bytes it used.
  Step consume(std::string_view input, std::size_t& consumed, const AuthTable* table, ReplyBuffer& out,
               CommandStats& stats);
  bool authenticated() const noexcept { return authenticated_; }

 private:
  bool in_value_ = false;       // the `set` line is read; its value (value_bytes_ + CRLF) is due
  std::size_t value_bytes_ = 0;
  bool authenticated_ = false;
};

}  // namespace cachelab::protocol
