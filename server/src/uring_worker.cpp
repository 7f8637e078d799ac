#include "uring_worker.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sched.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <cstring>

#include "session.h"
#include "write_stall_watch.h"

namespace cachelab::server {

namespace {

// Room for one turn's submissions; a fuller turn submits early (next_sqe) and goes on.
constexpr unsigned kSubmissionEntries = 1024;
// Each connection has at most one operation in flight (plus its cancel when closing), and the
// kernel keeps completions beyond this size instead of dropping them (IORING_FEAT_NODROP).
constexpr unsigned kCompletionEntries = 8192;

constexpr std::uint64_t kOpBits = 7;  // user_data: Conn* (8-byte aligned) | Op

// A busy worker never blocks: each turn finds new completions, so it would keep its core until
// the scheduler's tick takes it away, and on a machine shared with its clients (a cache beside
// the application, or a load generator) they wait for that core up to a tick (4 ms at HZ=250).
// Under memaslap on 2 cores, 1.1-1.4% of requests took over 4 ms, against memcached's 0.2%,
// whose workers block in epoll_wait more often. So a worker that has run kRunBudget without a
// pause yields once. A wait in io_uring_enter longer than kPause counts as a pause: the worker
// slept or was preempted, and either way the others ran. Measured (docs/BENCHMARKS.md): over
// 4 ms fell to 0.02-0.13% of requests, throughput unchanged. Alone on a machine, sched_yield()
// returns at once: at most one cheap system call per kRunBudget.
class RunBudget {
 public:
  static constexpr auto kRunBudget = std::chrono::microseconds(100);
  static constexpr auto kPause = std::chrono::microseconds(30);

  void before_wait() { wait_began_ = Clock::now(); }
  void after_wait() {
    const auto now = Clock::now();
    if (now - wait_began_ > kPause) running_since_ = now;
  }
  // True (and the budget renewed) when the worker has run past its budget.
  bool spent() {
    const auto now = Clock::now();
    if (now - running_since_ <= kRunBudget) return false;
    running_since_ = now;
    return true;
  }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point wait_began_{};
  Clock::time_point running_since_ = Clock::now();
};

}  // namespace

struct UringWorker::Conn {
  Conn(int socket_fd, protocol::ServerState& state, protocol::CommandStats& stats, std::size_t at,
       const std::shared_ptr<TlsContext>& tls)
      : fd(socket_fd), core(state, stats, socket_fd, tls), index(at) {}
  int fd;
  Session core;                   // plain or TLS, the same calls
  std::size_t index;              // in conns_
  bool busy = false;              // its recv or send is in flight: the kernel may touch its buffers
  bool closing = false;
  std::size_t sent = 0;           // bytes of core.pending_replies() already sent
  WriteStallWatch stall_watch;     // checked on each of the worker's ticks
};

UringWorker::UringWorker(protocol::ServerState& state, protocol::CommandStats& stats)
    : state_(state), stats_(stats) {
  tick_.tv_sec = std::chrono::seconds(WriteStallWatch::kCheckPeriod).count();
}

namespace {

// Sets up a ring as the workers use it; false (and why) when the kernel refuses any part.
bool open_ring(io_uring* ring, std::string* why) {
  io_uring_params params{};
  // Created here, enabled by the worker thread in run(): the thread that enables a
  // SINGLE_ISSUER ring is the only one allowed to submit to it.
  params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_R_DISABLED |
                 IORING_SETUP_CQSIZE;
  params.cq_entries = kCompletionEntries;
  if (const int err = io_uring_queue_init_params(kSubmissionEntries, ring, &params); err < 0) {
    *why = std::string("io_uring_setup: ") + std::strerror(-err);
    return false;
  }
  io_uring_probe* probe = io_uring_get_probe_ring(ring);
  const bool ops = probe && io_uring_opcode_supported(probe, IORING_OP_RECV) &&
                   io_uring_opcode_supported(probe, IORING_OP_SEND) &&
                   io_uring_opcode_supported(probe, IORING_OP_READ) &&
                   io_uring_opcode_supported(probe, IORING_OP_TIMEOUT) &&
                   io_uring_opcode_supported(probe, IORING_OP_ASYNC_CANCEL);
  if (probe) io_uring_free_probe(probe);
  if (!(params.features & IORING_FEAT_NODROP) || !ops) {
    *why = "this kernel's io_uring lacks recv, send, read, timeout, cancel or kept completions";
    io_uring_queue_exit(ring);
    return false;
  }
  return true;
}

std::uint64_t tag(const void* conn, std::uint64_t op) { return reinterpret_cast<std::uint64_t>(conn) | op; }

}  // namespace

bool UringWorker::supported(std::string* why) {
  io_uring ring{};
  if (!open_ring(&ring, why)) return false;
  io_uring_queue_exit(&ring);
  return true;
}

std::unique_ptr<UringWorker> UringWorker::create(protocol::ServerState& state, protocol::CommandStats& stats,
                                                 std::string* why) {
  std::unique_ptr<UringWorker> w(new UringWorker(state, stats));
  if (!open_ring(&w->ring_, why)) return nullptr;
  w->ring_ready_ = true;
  w->wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (w->wake_fd_ < 0) {
    *why = std::string("eventfd: ") + std::strerror(errno);
    return nullptr;
  }
  return w;
}

UringWorker::~UringWorker() {
  // Descriptors handed over after the last turn (none once stop() has run): close and uncount.
  for (const auto& [fd, tls] : adopted_) {
    ::close(fd);
    state_.connections.current.fetch_sub(1, std::memory_order_relaxed);
  }
  // Any connection left has no operation in flight once run() returned; exiting the ring
  // cancels the eventfd read and the tick.
  for (auto& c : conns_) ::close(c->fd);
  conns_.clear();
  if (ring_ready_) io_uring_queue_exit(&ring_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void UringWorker::adopt(Socket socket, std::shared_ptr<TlsContext> tls) {
  boost::system::error_code ec;
  const int fd = socket.release(ec);
  if (ec) {
    state_.connections.current.fetch_sub(1, std::memory_order_relaxed);
    return;
  }
  // io_uring answers EAGAIN instead of waiting on a non-blocking descriptor: make it blocking
  // (the waiting is io_uring's, the worker thread never blocks on it).
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  {
    std::lock_guard lock(adopted_mutex_);
    adopted_.emplace_back(fd, std::move(tls));
  }
  ::eventfd_write(wake_fd_, 1);
}

void UringWorker::stop() {
  {
    std::lock_guard lock(adopted_mutex_);
    stop_requested_ = true;
  }
  ::eventfd_write(wake_fd_, 1);
}

io_uring_sqe* UringWorker::next_sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  while (!sqe) {  // the submission queue is full: hand it to the kernel and go on
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

void UringWorker::arm_wake() {
  io_uring_sqe* sqe = next_sqe();
  io_uring_prep_read(sqe, wake_fd_, &wake_value_, sizeof wake_value_, 0);
  io_uring_sqe_set_data64(sqe, tag(nullptr, static_cast<std::uint64_t>(Op::kWake)));
}

void UringWorker::arm_tick() {
  io_uring_sqe* sqe = next_sqe();
  io_uring_prep_timeout(sqe, &tick_, 0, 0);
  io_uring_sqe_set_data64(sqe, tag(nullptr, static_cast<std::uint64_t>(Op::kTick)));
}

void UringWorker::run() {
  // liburing 2.3 declares io_uring_enable_rings() but does not export it: the raw call.
  if (::syscall(__NR_io_uring_register, ring_.ring_fd, IORING_REGISTER_ENABLE_RINGS, nullptr, 0) < 0) {
    // Cannot happen after create() succeeded; without the ring nothing can be served.
    std::fprintf(stderr, "cachelab serve: io_uring: cannot enable the ring: %s\n", std::strerror(errno));
    std::abort();
  }
  arm_wake();
  arm_tick();
  RunBudget budget;
  while (!(stopping_ && conns_.empty())) {
    budget.before_wait();
    const int rc = io_uring_submit_and_wait(&ring_, 1);
    budget.after_wait();
    if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
      std::fprintf(stderr, "cachelab serve: io_uring_enter: %s\n", std::strerror(-rc));
      std::abort();
    }
    io_uring_cqe* cqe = nullptr;
    unsigned head = 0;
    unsigned seen = 0;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      const std::uint64_t data = io_uring_cqe_get_data64(cqe);
      Conn* conn = reinterpret_cast<Conn*>(data & ~kOpBits);
      switch (static_cast<Op>(data & kOpBits)) {
        case Op::kRecv: on_recv(*conn, cqe->res); break;
        case Op::kSend: on_send(*conn, cqe->res); break;
        case Op::kWake:
          take_adopted();
          if (!stopping_) arm_wake();
          break;
        case Op::kTick:
          check_stalled_writes();
          if (!stopping_) arm_tick();
          break;
        case Op::kCancel: break;
      }
    }
    io_uring_cq_advance(&ring_, seen);
    if (budget.spent()) {
      // Send what this turn produced, then let the others run.
      io_uring_submit(&ring_);
      sched_yield();
    }
  }
}

void UringWorker::take_adopted() {
  std::vector<std::pair<int, std::shared_ptr<TlsContext>>> fds;
  bool stop = false;
  {
    std::lock_guard lock(adopted_mutex_);
    fds.swap(adopted_);
    stop = stop_requested_;
  }
  for (const auto& [fd, tls] : fds) {
    conns_.push_back(std::make_unique<Conn>(fd, state_, stats_, conns_.size(), tls));
    start_recv(*conns_.back());
  }
  if (stop && !stopping_) {
    stopping_ = true;
    close_all();
  }
}

void UringWorker::start_recv(Conn& c) {
  const std::span<char> space = c.core.read_space();
  if (space.empty()) {  // cannot happen while the parser keeps its bounds; never spin
    close(c);
    return;
  }
  io_uring_sqe* sqe = next_sqe();
  io_uring_prep_recv(sqe, c.fd, space.data(), space.size(), 0);
  io_uring_sqe_set_data64(sqe, tag(&c, static_cast<std::uint64_t>(Op::kRecv)));
  c.busy = true;
}

void UringWorker::start_send(Conn& c) {
  const std::string_view replies = c.core.pending_replies();
  io_uring_sqe* sqe = next_sqe();
  io_uring_prep_send(sqe, c.fd, replies.data() + c.sent, replies.size() - c.sent, MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, tag(&c, static_cast<std::uint64_t>(Op::kSend)));
  c.busy = true;
  c.stall_watch.begin();
}

void UringWorker::step(Conn& c) {
  switch (c.core.process()) {
    case ConnectionCore::Next::kWrite: start_send(c); break;
    case ConnectionCore::Next::kRead: start_recv(c); break;
    case ConnectionCore::Next::kClose: close(c); break;
  }
}

// The common start of a completion: the kernel is done with the connection's buffers. False when
// there is nothing more for the caller to do (the connection was closing and is now freed, or
// an interrupted operation was restarted).
bool UringWorker::settle(Conn& c, int res, void (UringWorker::*restart)(Conn&)) {
  c.busy = false;
  if (c.closing) {
    release(c);
    return false;
  }
  if (res == -EINTR || res == -EAGAIN) {
    (this->*restart)(c);
    return false;
  }
  return true;
}

void UringWorker::on_recv(Conn& c, int res) {
  if (!settle(c, res, &UringWorker::start_recv)) return;
  if (res <= 0) {  // the peer closed (0) or the socket failed
    close(c);
    return;
  }
  c.core.received(static_cast<std::size_t>(res));
  step(c);
}

void UringWorker::on_send(Conn& c, int res) {
  if (!settle(c, res, &UringWorker::start_send)) return;
  if (res < 0) {  // the peer is gone (EPIPE, ECONNRESET)
    close(c);
    return;
  }
  c.stall_watch.progressed();
  c.sent += static_cast<std::size_t>(res);
  const std::size_t total = c.core.pending_replies().size();
  if (c.sent < total) {
    start_send(c);
    return;
  }
  c.stall_watch.end();
  c.sent = 0;
  if (c.core.written(total)) {
    step(c);  // requests may still wait in the input buffer
  } else {
    close(c);
  }
}

// Ends the connection: shut down at once (the peer sees it now), freed when the kernel no
// longer holds its buffers, i.e. when its operation in flight has completed (cancelled here).
void UringWorker::close(Conn& c) {
  if (c.closing) return;
  c.closing = true;
  ::shutdown(c.fd, SHUT_RDWR);
  if (!c.busy) {
    release(c);
    return;
  }
  io_uring_sqe* sqe = next_sqe();
  io_uring_prep_cancel64(sqe, tag(&c, c.stall_watch.writing() ? static_cast<std::uint64_t>(Op::kSend)
                                                : static_cast<std::uint64_t>(Op::kRecv)), 0);
  io_uring_sqe_set_data64(sqe, tag(nullptr, static_cast<std::uint64_t>(Op::kCancel)));
}

void UringWorker::release(Conn& c) {
  ::close(c.fd);
  const std::size_t at = c.index;
  if (at + 1 != conns_.size()) {
    conns_[at] = std::move(conns_.back());
    conns_[at]->index = at;
  }
  conns_.pop_back();  // destroys c
}

void UringWorker::check_stalled_writes() {
  // Close candidates are collected first: close() may free a connection and reorder conns_.
  std::vector<Conn*> stalled;
  std::vector<Conn*> idle;
  const bool idle_check = state_.settings.idle_timeout > 0;
  const auto now = idle_check ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  for (auto& c : conns_) {
    if (c->closing) continue;
    if (c->stall_watch.stalled()) {
      stalled.push_back(c.get());
    } else if (idle_check && c->busy && !c->stall_watch.writing() && c->core.idle_expired(now)) {
      idle.push_back(c.get());  // its receive is pending: it waits for its client (idle_timeout)
    }
  }
  for (Conn* c : stalled) {
    state_.connections.write_stalled.fetch_add(1, std::memory_order_relaxed);
    close(*c);
  }
  for (Conn* c : idle) {
    stats_.add(protocol::Counter::kIdleKicks);
    close(*c);
  }
}

void UringWorker::close_all() {
  std::vector<Conn*> all;
  all.reserve(conns_.size());
  for (auto& c : conns_) all.push_back(c.get());
  for (Conn* c : all) close(*c);
}

}  // namespace cachelab::server
