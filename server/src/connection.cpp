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
      input_(kInitialBuffer) {}

Connection::~Connection() { state_.connections.current.fetch_sub(1, std::memory_order_relaxed); }

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
  asio::async_write(socket_, asio::buffer(replies_.bytes()),
                    [self](const boost::system::error_code& ec, std::size_t n) {
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
