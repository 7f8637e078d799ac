#include "connection_core.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

namespace cachelab::server {

using protocol::Outcome;
using protocol::ParseStatus;

ConnectionCore::ConnectionCore(protocol::ServerState& state, protocol::CommandStats& stats, int id)
    : state_(state),
      stats_(stats),
      id_(id),
      parser_(protocol::ParserLimits{64 * 1024, state.store.config().max_item_size}),
      executor_(state, stats),
      binary_parser_(protocol::binary::BinaryLimits{state.store.config().max_item_size, state.settings.sasl}),
      binary_executor_(state, stats),
      input_(kInitialBuffer),
      needs_auth_(!state.settings.auth_file.empty()) {}

ConnectionCore::~ConnectionCore() { state_.connections.current.fetch_sub(1, std::memory_order_relaxed); }

std::span<char> ConnectionCore::read_space() {
  if (begin_ == end_) {
    begin_ = end_ = 0;
    // Give back the room a large value needed once it has been handled.
    if (input_.size() > 4 * kInitialBuffer) {
      input_.resize(kInitialBuffer);
      input_.shrink_to_fit();
    }
  }
  if (end_ == input_.size()) {
    if (begin_ > 0) {
      std::memmove(input_.data(), input_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    } else {
      // A request bigger than the buffer: grow, never past one maximum request (the parser
      // reports an over-long line before that).
      input_.resize(std::min(input_.size() * 2, max_request_bytes() + kInitialBuffer));
    }
  }
  return {input_.data() + end_, input_.size() - end_};
}

void ConnectionCore::received(std::size_t n) {
  end_ += n;
  stats_.add(protocol::Counter::kBytesRead, n);
}

// Until the gate lets the connection in, it reads the bytes: nothing reaches the parser.
bool ConnectionCore::authenticate() {
  const auto table = state_.auth.get();  // the users in force for this batch (SIGHUP swaps them)
  while (!auth_gate_.authenticated() && replies_.size() < kReplyHighWater) {
    std::size_t consumed = 0;
    const std::string_view pending(input_.data() + begin_, end_ - begin_);
    const auto step = auth_gate_.consume(pending, consumed, table.get(), replies_, stats_);
    begin_ += consumed;
    if (step == protocol::AsciiAuthGate::Step::kClose) {
      replies_.clear();
      close_after_write_ = true;
      return false;
    }
    if (step == protocol::AsciiAuthGate::Step::kNeedMore) return false;
  }
  if (!auth_gate_.authenticated()) return false;  // replies to write first
  needs_auth_ = false;
  return true;
}

std::size_t ConnectionCore::max_request_bytes() const noexcept {
  return std::max(parser_.max_request_bytes(), binary_parser_.max_request_bytes());
}

ConnectionCore::Next ConnectionCore::process() {
  if (speaks_ == Speaks::kUndecided) {
    if (begin_ == end_) return Next::kRead;
    switch (state_.settings.binding) {
      case protocol::Binding::kAscii: speaks_ = Speaks::kText; break;
      case protocol::Binding::kBinary: speaks_ = Speaks::kBinary; break;
      case protocol::Binding::kAuto:
        speaks_ = static_cast<unsigned char>(input_[begin_]) == protocol::binary::kRequestMagic ? Speaks::kBinary
                                                                                               : Speaks::kText;
        break;
    }
  }
  const bool binary = speaks_ == Speaks::kBinary;
  // -Y: a text connection goes through the gate first (with -Y the server speaks text only).
  if (!binary && needs_auth_ && !authenticate()) {
    if (!replies_.empty()) return Next::kWrite;
    return close_after_write_ ? Next::kClose : Next::kRead;
  }
  while (replies_.size() < kReplyHighWater && (binary ? step_binary() : step_text())) {
  }
  if (!replies_.empty()) return Next::kWrite;
  return close_after_write_ ? Next::kClose : Next::kRead;
}

bool ConnectionCore::step_text() {
  std::size_t consumed = 0;
  const std::string_view pending(input_.data() + begin_, end_ - begin_);
  const ParseStatus status = parser_.parse(pending, request_, consumed);
  if (status == ParseStatus::kLineTooLong) {
    replies_.line(protocol::reply::kLineTooLong);
    close_after_write_ = true;
    return false;
  }
  if (status == ParseStatus::kNeedMore) {
    begin_ += consumed;
    return false;
  }
  if (state_.verbosity.load(std::memory_order_relaxed) >= 2) log_request();
  return answered(executor_.execute(request_, replies_), consumed);
}

bool ConnectionCore::step_binary() {
  using protocol::binary::PacketStatus;
  std::size_t consumed = 0;
  const std::string_view pending(input_.data() + begin_, end_ - begin_);
  const PacketStatus status = binary_parser_.parse(pending, packet_, consumed);
  if (status == PacketStatus::kBadMagic) {
    // memcached closes at once: what this batch had not yet sent is dropped with it.
    replies_.clear();
    close_after_write_ = true;
    return false;
  }
  if (status == PacketStatus::kNeedMore) {
    begin_ += consumed;
    return false;
  }
  if (state_.verbosity.load(std::memory_order_relaxed) >= 2)
    std::fprintf(stderr, "<%d binary opcode 0x%02x key %.*s\n", id_, packet_.header.opcode,
                 static_cast<int>(packet_.key.size()), packet_.key.data());
  return answered(binary_executor_.execute(packet_, replies_), consumed);
}

bool ConnectionCore::answered(Outcome outcome, std::size_t consumed) {
  begin_ += consumed;
  if (outcome == Outcome::kDrop) replies_.clear();
  if (outcome == Outcome::kContinue) return true;
  close_after_write_ = true;
  return false;
}

bool ConnectionCore::written(std::size_t n) {
  stats_.add(protocol::Counter::kBytesWritten, n);
  replies_.reset(kKeptReplyCapacity);
  return !close_after_write_;
}

void ConnectionCore::log_request() const {
  std::string text;
  for (std::string_view t : request_.tokens) {
    if (!text.empty()) text.push_back(' ');
    text.append(t.substr(0, 256));
  }
  std::fprintf(stderr, "<%d %s\n", id_, text.c_str());
}

}  // namespace cachelab::server
