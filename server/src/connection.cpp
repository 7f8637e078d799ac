#include "connection.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace cachelab::server {

namespace asio = boost::asio;
using protocol::Outcome;
using protocol::ParseStatus;

Connection::Connection(Socket socket, protocol::ServerState& state, protocol::CommandStats& stats)
    : socket_(std::move(socket)),
      state_(state),
      stats_(stats),
      parser_(protocol::ParserLimits{64 * 1024, state.store.config().max_item_size}),
      executor_(state, stats),
      input_(kInitialBuffer),
      stall_timer_(socket_.get_executor()) {}

Connection::~Connection() { state_.connections.current.fetch_sub(1, std::memory_order_relaxed); }

// Armed by a write when not already armed; ticks every kStallCheck while writes go on, so an idle
// connection costs no wake-ups. A write pending since the last tick without progress counts as
// stalled; kWriteStallLimit stalled ticks in a row close the connection (the pending write then
// ends with an error and the connection is freed). The timer holds no reference to it.
void Connection::watch_writes() {
  watching_ = true;
  progress_seen_ = write_progress_;
  stall_timer_.expires_after(kStallCheck);
  std::weak_ptr<Connection> weak = weak_from_this();
  stall_timer_.async_wait([weak](const boost::system::error_code& ec) {
    const auto self = weak.lock();
    if (!self) return;
    self->watching_ = false;
    if (ec || !self->socket_.is_open()) return;
    if (!self->writing_) {
      self->stalled_checks_ = 0;
      return;
    }
    if (self->write_progress_ == self->progress_seen_) {
      if (++self->stalled_checks_ >= kWriteStallLimit) {
        self->state_.connections.write_stalled.fetch_add(1, std::memory_order_relaxed);
        self->close();
        return;
      }
    } else {
      self->stalled_checks_ = 0;
    }
    self->watch_writes();
  });
}

void Connection::read_more() {
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
      input_.resize(std::min(input_.size() * 2, parser_.max_request_bytes() + kInitialBuffer));
    }
    if (end_ == input_.size()) {  // cannot happen while the parser keeps its bounds; never spin
      close();
      return;
    }
  }
  auto self = shared_from_this();
  socket_.async_read_some(asio::buffer(input_.data() + end_, input_.size() - end_),
                          [self](const boost::system::error_code& ec, std::size_t n) {
                            if (ec) return;  // peer closed or server stopping: drop the connection
                            self->end_ += n;
                            self->stats_.add(protocol::Counter::kBytesRead, n);
                            self->process();
                          });
}

void Connection::process() {
  while (replies_.size() < kReplyHighWater) {
    std::size_t consumed = 0;
    const std::string_view pending(input_.data() + begin_, end_ - begin_);
    const ParseStatus status = parser_.parse(pending, request_, consumed);
    if (status == ParseStatus::kLineTooLong) {
      replies_.line(protocol::reply::kLineTooLong);
      close_after_write_ = true;
      break;
    }
    if (status == ParseStatus::kNeedMore) {
      begin_ += consumed;
      break;
    }
    if (state_.verbosity.load(std::memory_order_relaxed) >= 2) log_request();
    const Outcome outcome = executor_.execute(request_, replies_);
    begin_ += consumed;
    if (outcome != Outcome::kContinue) {
      close_after_write_ = true;
      break;
    }
  }
  if (!replies_.empty()) {
    write_replies();
  } else if (close_after_write_) {
    close();
  } else {
    read_more();
  }
}

void Connection::write_replies() {
  auto self = shared_from_this();
  writing_ = true;
  ++write_progress_;
  if (!watching_) watch_writes();
  // The completion condition runs after each write_some: it marks progress for watch_writes().
  auto progress = [this](const boost::system::error_code& ec, std::size_t) -> std::size_t {
    ++write_progress_;
    return ec ? 0 : std::size_t{65536};
  };
  asio::async_write(socket_, asio::buffer(replies_.bytes()), progress,
                    [self](const boost::system::error_code& ec, std::size_t n) {
                      self->writing_ = false;
                      if (ec) return;
                      self->stats_.add(protocol::Counter::kBytesWritten, n);
                      self->replies_.reset(kKeptReplyCapacity);
                      if (self->close_after_write_) {
                        self->close();
                      } else {
                        self->process();  // requests may still wait in the input buffer
                      }
                    });
}

void Connection::close() {
  boost::system::error_code ignored;
  stall_timer_.cancel();
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void Connection::log_request() {
  std::string text;
  for (std::string_view t : request_.tokens) {
    if (!text.empty()) text.push_back(' ');
    text.append(t.substr(0, 256));
  }
  std::fprintf(stderr, "<%d %s\n", static_cast<int>(socket_.native_handle()), text.c_str());
}

}  // namespace cachelab::server
