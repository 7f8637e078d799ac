#pragma once
// One worker thread and the connections handed to it. The main thread accepts each connection
// and adopts it into a worker; the worker serves it until it closes or the server stops. Two
// ways to wait on the sockets, same protocol code (ConnectionCore): AsioWorker (epoll through
// Asio's reactor) and UringWorker (io_uring, where the kernel allows it).
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio/generic/stream_protocol.hpp>
#include <memory>

namespace cachelab::server {

class TlsContext;

using Socket = boost::asio::generic::stream_protocol::socket;

class Worker {
 public:
  virtual ~Worker() = default;
  // From the main thread: serve this connection (already counted in curr_connections), over TLS
  // with `tls` (a listener without notls: under -Z), plain when it is null.
  virtual void adopt(Socket socket, std::shared_ptr<TlsContext> tls) = 0;
  // On the worker's own thread: serves until stop().
  virtual void run() = 0;
  // From the main thread: close every connection and make run() return.
  virtual void stop() = 0;
};

}  // namespace cachelab::server
