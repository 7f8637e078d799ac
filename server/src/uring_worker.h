#pragma once
// A worker whose connections wait in io_uring instead of epoll. Each turn of its loop is one
// system call: it submits every send and receive the previous turn's requests produced, for all
// its connections together, and waits for completions. With epoll each request costs a recv and
// a send of its own (plus a share of epoll_wait), and the woken client can preempt the worker
// after each send; here a turn's replies leave in one call, and completions are reaped only when
// the worker asks (IORING_SETUP_DEFER_TASKRUN), so it is interrupted less. docs/BENCHMARKS.md has
// the measurements. One ring per worker, used by its thread alone (IORING_SETUP_SINGLE_ISSUER).
#include <liburing.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "cachelab/protocol/server_state.h"
#include "worker.h"

namespace cachelab::server {

class UringWorker final : public Worker {
 public:
  // Null, with the reason in `why`, when this kernel or its settings refuse io_uring (too old,
  // disabled by sysctl, filtered by seccomp...): the server then uses AsioWorker.
  static std::unique_ptr<UringWorker> create(protocol::ServerState& state, protocol::CommandStats& stats,
                                             std::string* why);
  // Whether create() can succeed here (the server picks its engine before making workers).
  static bool supported(std::string* why);
  ~UringWorker() override;

  void adopt(Socket socket, std::shared_ptr<TlsContext> tls) override;
  void run() override;
  void stop() override;

 private:
  struct Conn;
  enum class Op : std::uint64_t { kRecv = 0, kSend = 1, kWake = 2, kTick = 3, kCancel = 4 };

  UringWorker(protocol::ServerState& state, protocol::CommandStats& stats);
  io_uring_sqe* next_sqe();
  void arm_wake();
  void arm_tick();
  void take_adopted();
  void start_recv(Conn& c);
  void start_send(Conn& c);
  void step(Conn& c);
  void close(Conn& c);
  void release(Conn& c);
  bool settle(Conn& c, int res, void (UringWorker::*restart)(Conn&));
  void on_recv(Conn& c, int res);
  void on_send(Conn& c, int res);
  void check_stalled_writes();  // and idle_timeout
  void close_all();

  protocol::ServerState& state_;
  protocol::CommandStats& stats_;
  io_uring ring_{};
  bool ring_ready_ = false;
  int wake_fd_ = -1;                // eventfd: the main thread's knock (adopt, stop)
  std::uint64_t wake_value_ = 0;    // read target of the pending eventfd read
  __kernel_timespec tick_{};        // the stall check's period
  std::vector<std::unique_ptr<Conn>> conns_;
  bool stopping_ = false;           // worker thread only

  std::mutex adopted_mutex_;        // guards adopted_ and stop_requested_
  // Descriptors handed over, not yet served, with their TLS context (null: plain).
  std::vector<std::pair<int, std::shared_ptr<TlsContext>>> adopted_;
  bool stop_requested_ = false;
};

}  // namespace cachelab::server
