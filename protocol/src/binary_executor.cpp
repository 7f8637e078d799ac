// The binary protocol's commands, over the same store calls and counters as the text commands
// (handlers.h): only the framing of requests and replies is the binary protocol's own.
#include <string>

#include "cachelab/protocol/binary.h"
#include "handlers.h"
#include "sasl_server.h"

namespace cachelab::protocol::binary {
namespace {

void put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}
void put32(std::string& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v));
}
void put64(std::string& out, std::uint64_t v) {
  put32(out, static_cast<std::uint32_t>(v >> 32));
  put32(out, static_cast<std::uint32_t>(v));
}
std::uint32_t get32(std::string_view b) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data());
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
std::uint64_t get64(std::string_view b) { return std::uint64_t{get32(b)} << 32 | get32(b.substr(4)); }

// memcached's text for each error status (write_bin_error).
std::string_view status_text(Status s) noexcept {
  switch (s) {
    case Status::kNoMemory: return "Out of memory";
    case Status::kUnknownCommand: return "Unknown command";
    case Status::kKeyNotFound: return "Not found";
    case Status::kInvalidArguments: return "Invalid arguments";
    case Status::kKeyExists: return "Data exists for key.";
    case Status::kTooLarge: return "Too large.";
    case Status::kNonNumeric: return "Non-numeric server-side value for incr or decr";
    case Status::kNotStored: return "Not stored.";
    case Status::kAuthError: return "Auth failure.";
    default: return "";
  }
}

// One request's context: the packet, where the replies go, and the text handlers' Call.
struct Exchange {
  const Packet& packet;
  ReplyBuffer& out;
  detail::Call& call;
  bool quiet;

  const Header& h() const noexcept { return packet.header; }
  std::uint64_t shown_cas(std::uint64_t cas) const noexcept { return call.state.settings.cas_enabled ? cas : 0; }

  // An error: always sent, quiet or not (memcached's write_bin_error), CAS 0.
  void error(Status s, std::string_view text = {}) const {
    if (text.empty()) text = status_text(s);
    write_response_header(out, h().opcode, s, 0, 0, static_cast<std::uint32_t>(text.size()), h().opaque, 0);
    out.raw(text);
  }
  // A success: not sent in quiet mode (memcached's write_bin_response).
  void success(std::string_view body = {}, std::uint64_t cas = 0) const {
    if (quiet) return;
    write_response_header(out, h().opcode, Status::kSuccess, 0, 0, static_cast<std::uint32_t>(body.size()),
                          h().opaque, cas);
    out.raw(body);
  }
};

void do_get(Exchange& x, std::uint8_t loud) {
  const bool touch = loud == kTouch || loud == kGat || loud == kGatK;
  const bool with_key = loud == kGetK || loud == kGatK;
  const bool with_value = loud != kTouch;
  detail::Call& call = x.call;
  Tick exptime = kNever;
  if (touch) exptime = call.state.clock.expiry(std::int64_t{get32(x.packet.extras)});
  const KeyRef key = call.key(x.packet.key);
  std::uint64_t size = 0;
  auto emit = [&](const Item& it) {
    const std::uint32_t keylen = with_key ? it.key_len : 0;
    const std::uint32_t body = 4 + keylen + (with_value ? it.value_len : 0);
    write_response_header(x.out, x.h().opcode, Status::kSuccess, 4, static_cast<std::uint16_t>(keylen), body,
                          x.h().opaque, x.shown_cas(it.cas));
    put32(x.out.bytes(), it.flags);
    if (with_key) x.out.raw(it.key());
    if (with_value) x.out.raw(it.value());
    size = it.key_len + it.value_len;
  };
  const bool hit = call.state.store.with_shard(key, [&](Store& s) {
    return touch ? s.get_and_touch(key, call.now, exptime, emit) : s.get(key, call.now, emit);
  });
  if (touch) {
    call.stats.add(Counter::kCmdTouch);
    call.stats.add(hit ? Counter::kTouchHits : Counter::kTouchMisses);
  } else {
    detail::count_read(call.stats, false, hit);
  }
  detail::trace(call, TraceOp::kGet, x.packet.key, size);
  if (hit || x.quiet) return;
  if (with_key) {
    // A miss of getk/gatk names the key, without the error text.
    write_response_header(x.out, x.h().opcode, Status::kKeyNotFound, 0, x.h().keylen, x.h().keylen, x.h().opaque, 0);
    x.out.raw(x.packet.key);
  } else {
    x.error(Status::kKeyNotFound);
  }
}

void do_update(Exchange& x, std::uint8_t loud) {
  detail::Call& call = x.call;
  const bool concat = loud == kAppend || loud == kPrepend;
  std::uint32_t flags = 0;
  Tick exptime = kNever;
  if (!concat) {
    flags = get32(x.packet.extras);
    exptime = call.state.clock.expiry(std::int64_t{get32(x.packet.extras.substr(4))});
  }
  // With -C memcached keeps no CAS, and the CAS a request carries is dropped with it.
  const std::uint64_t cas = call.state.settings.cas_enabled ? x.h().cas : 0;
  StoreMode mode = StoreMode::kSet;
  switch (loud) {
    case kAdd: mode = StoreMode::kAdd; break;
    case kReplace: mode = StoreMode::kReplace; break;
    case kAppend: mode = StoreMode::kAppend; break;
    case kPrepend: mode = StoreMode::kPrepend; break;
    default: break;
  }
  if (cas != 0 && !concat) mode = StoreMode::kCas;  // a set/add/replace with a CAS is a cas
  std::uint64_t new_cas = 0;
  const StoreResult r = detail::store_item(call, mode, x.packet.key, x.packet.value, flags, exptime, cas, &new_cas);
  switch (r) {
    case StoreResult::kStored: x.success({}, x.shown_cas(new_cas)); return;
    case StoreResult::kExists: x.error(Status::kKeyExists); return;
    case StoreResult::kNotFound: x.error(Status::kKeyNotFound); return;
    case StoreResult::kTooLarge: x.error(Status::kTooLarge); return;
    case StoreResult::kNoMemory:
      if (!concat) {
        x.error(Status::kNoMemory, "Out of memory allocating item");
        return;
      }
      [[fallthrough]];
    case StoreResult::kNotStored:
      // memcached answers a refused add as "exists" and a refused replace as "not found".
      if (mode == StoreMode::kAdd) x.error(Status::kKeyExists);
      else if (mode == StoreMode::kReplace) x.error(Status::kKeyNotFound);
      else x.error(Status::kNotStored);
      return;
  }
}

void do_arith(Exchange& x, std::uint8_t loud) {
  detail::Call& call = x.call;
  const bool incr = loud == kIncrement;
  const std::uint64_t delta = get64(x.packet.extras);
  const std::uint64_t initial = get64(x.packet.extras.substr(8));
  const std::uint32_t expiration = get32(x.packet.extras.substr(16));
  std::uint64_t value = 0, new_cas = 0;
  auto answer = [&](std::uint64_t v, std::uint64_t cas) {
    std::string body;
    put64(body, v);
    x.success(body, x.shown_cas(cas));
  };
  switch (detail::arith_item(call, incr, x.packet.key, delta, &value, x.h().cas, &new_cas)) {
    case ArithResult::kOk: answer(value, new_cas); return;
    case ArithResult::kNonNumeric: x.error(Status::kNonNumeric); return;
    case ArithResult::kNoMemory: x.error(Status::kNoMemory, "Out of memory incrementing value"); return;
    case ArithResult::kExists: x.error(Status::kKeyExists); return;
    case ArithResult::kNotFound: break;
  }
  if (expiration == 0xffffffffu) {  // "do not create"
    x.error(Status::kKeyNotFound);
    return;
  }
  // Created with the initial value (the delta not applied), as memcached does.
  const StoreResult r = detail::store_item(call, StoreMode::kAdd, x.packet.key, std::to_string(initial), 0,
                                           call.state.clock.expiry(std::int64_t{expiration}), 0, &new_cas);
  if (r == StoreResult::kStored) answer(initial, new_cas);
  else if (r == StoreResult::kNoMemory || r == StoreResult::kTooLarge)
    x.error(Status::kNoMemory, "Out of memory allocating new item");
  else x.error(Status::kNotStored);
}

void do_flush(Exchange& x) {
  detail::Call& call = x.call;
  if (!call.state.settings.flush_enabled) {
    x.error(Status::kAuthError);  // memcached's answer to a flush refused by -F
    return;
  }
  const std::int64_t delay = x.packet.extras.size() == 4 ? std::int64_t{get32(x.packet.extras)} : 0;
  if (delay <= 0) {
    call.state.flush_now();
  } else {
    // Same rule as an item's exptime: up to 30 days is relative, above is a unix time.
    call.state.schedule_flush(delay <= kMaxRelativeExptime ? call.now_unix + delay : delay);
  }
  call.stats.add(Counter::kCmdFlush);
  x.success();
}

// stat [group]: the text protocol's stats, each `STAT name value` as one packet (key = name,
// value = value), then an empty packet to end them.
void do_stat(Exchange& x) {
  const std::string_view group = x.packet.key;
  std::string_view token;
  if (group.empty()) token = {};
  else if (group.substr(0, 5) == "reset") token = "reset";
  else if (group.substr(0, 8) == "settings") token = "settings";
  else if (group == "items" || group == "slabs") token = group;
  else {
    x.error(Status::kKeyNotFound);
    return;
  }
  Request request;
  request.command = CommandId::kStats;
  request.tokens.push_back("stats");
  if (!token.empty()) request.tokens.push_back(token);
  ReplyBuffer text;
  bool failed = false;
  detail::Call stats_call{x.call.state, x.call.stats, request, text, x.call.now_unix, x.call.now, failed};
  detail::handle_stats(stats_call);
  std::string_view lines = text.bytes();
  while (!lines.empty()) {
    const std::size_t eol = lines.find("\r\n");
    const std::string_view line = lines.substr(0, eol);
    lines.remove_prefix(eol == std::string_view::npos ? lines.size() : eol + 2);
    if (line.substr(0, 5) != "STAT ") continue;
    const std::string_view rest = line.substr(5);
    const std::size_t space = rest.find(' ');
    const std::string_view name = rest.substr(0, space);
    const std::string_view value = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
    write_response_header(x.out, kStat, Status::kSuccess, 0, static_cast<std::uint16_t>(name.size()),
                          static_cast<std::uint32_t>(name.size() + value.size()), x.h().opaque, 0);
    x.out.raw(name);
    x.out.raw(value);
  }
  write_response_header(x.out, kStat, Status::kSuccess, 0, 0, 0, x.h().opaque, 0);
}

}  // namespace

void write_response_header(ReplyBuffer& out, std::uint8_t opcode, Status status, std::uint8_t extlen,
                           std::uint16_t keylen, std::uint32_t bodylen, std::uint32_t opaque,
                           std::uint64_t cas) {
  std::string& b = out.bytes();
  b.push_back(static_cast<char>(kResponseMagic));
  b.push_back(static_cast<char>(opcode));
  put16(b, keylen);
  b.push_back(static_cast<char>(extlen));
  b.push_back(0);  // data type: raw bytes
  put16(b, static_cast<std::uint16_t>(status));
  put32(b, bodylen);
  put32(b, opaque);
  put64(b, cas);
}

BinaryExecutor::~BinaryExecutor() { sasl::dispose(sasl_conn_); }

Outcome BinaryExecutor::execute(const Packet& packet, ReplyBuffer& out) {
  const std::int64_t now_unix = state_.clock.unix_now();
  state_.run_due_flush(now_unix);
  static const Request kNoTextRequest{};
  bool unused_multi_get = false;
  detail::Call call{state_, stats_, kNoTextRequest, out, now_unix, state_.clock.tick_of_unix(now_unix),
                    unused_multi_get};
  const std::uint8_t opcode = packet.header.opcode;
  const std::uint8_t loud = loud_opcode(opcode);
  Exchange x{packet, out, call, is_quiet(opcode)};

  if (packet.error == PacketError::kBadLengths) {
    x.error(Status::kUnknownCommand);
    return Outcome::kClose;
  }
  if (state_.settings.sasl && !authenticated_ && loud != kSaslListMechs && loud != kSaslAuth &&
      loud != kSaslStep && loud != kVersion) {
    x.error(Status::kAuthError);
    return Outcome::kClose;
  }
  switch (packet.error) {
    case PacketError::kNone: break;
    case PacketError::kBadLengths: break;  // answered above
    case PacketError::kKeyTooLong:
    case PacketError::kInvalid:
      x.error(Status::kInvalidArguments);
      return Outcome::kClose;
    case PacketError::kUnknownCommand:
      x.error(Status::kUnknownCommand);
      return Outcome::kContinue;
    case PacketError::kTooLarge:
      call.stats.add(Counter::kStoreTooLarge);
      if (loud == kSet) {  // no stale value left behind a refused set (memcached)
        const KeyRef key = call.key(packet.key);
        state_.store.with_shard(key, [&](Store& s) { return s.remove(key, call.now); });
      }
      x.error(Status::kTooLarge);
      return Outcome::kContinue;
    case PacketError::kSaslTooLarge:
      x.error(Status::kNoMemory);
      return Outcome::kContinue;
  }

  switch (loud) {
    case kGet: case kGetK: case kGat: case kGatK: case kTouch:
      do_get(x, loud);
      break;
    case kSet: case kAdd: case kReplace: case kAppend: case kPrepend:
      do_update(x, loud);
      break;
    case kDelete:
      switch (detail::delete_item(call, packet.key, packet.header.cas)) {
        case DeleteResult::kDeleted: x.success(); break;
        case DeleteResult::kExists: x.error(Status::kKeyExists); break;
        case DeleteResult::kNotFound: x.error(Status::kKeyNotFound); break;
      }
      break;
    case kIncrement: case kDecrement:
      do_arith(x, loud);
      break;
    case kFlush:
      do_flush(x);
      break;
    case kNoop:
      x.success();
      break;
    case kVersion:
      x.success(state_.settings.version);
      break;
    case kStat:
      do_stat(x);
      break;
    case kQuit:
      x.success();
      return Outcome::kClose;
    case kSaslListMechs: {
      std::string mechs;
      if (!sasl::list_mechanisms(sasl_conn_, state_.settings, &mechs)) {
        x.error(Status::kAuthError);
        break;
      }
      x.success(mechs);
      break;
    }
    case kSaslAuth: case kSaslStep: {
      std::string challenge;
      const sasl::Result r = sasl::exchange(sasl_conn_, state_.settings, loud == kSaslAuth, &sasl_started_,
                                            packet.key, packet.value, &challenge);
      if (r == sasl::Result::kOk) {
        authenticated_ = true;
        x.success("Authenticated");
      } else if (r == sasl::Result::kContinue) {
        write_response_header(out, opcode, Status::kAuthContinue, 0, 0,
                              static_cast<std::uint32_t>(challenge.size()), packet.header.opaque, 0);
        out.raw(challenge);
      } else {
        x.error(Status::kAuthError);
      }
      break;
    }
    default:
      x.error(Status::kUnknownCommand);  // not reached: the parser refuses other opcodes
      break;
  }
  return Outcome::kContinue;
}

}  // namespace cachelab::protocol::binary
