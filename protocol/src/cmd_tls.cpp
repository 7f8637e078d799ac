// refresh_certs: reload the TLS certificate, key and CA files (memcached 1.6.18's command). The
// protocol library knows no OpenSSL: the server supplies ServerState::refresh_certs with -Z.
#include "handlers.h"

namespace cachelab::protocol::detail {

// refresh_certs [noreply]: "OK", or memcached's error line (the old certificates stay in force).
Outcome handle_refresh_certs(Call& call) {
  call.noreply = call.last_is_noreply();
  std::string error;
  if (!call.state.refresh_certs) {
    error = "Error TLS not enabled";
  } else if (call.state.refresh_certs(&error)) {
    call.state.certs_loaded_unix.store(call.now_unix, std::memory_order_relaxed);
    call.out.line(reply::kOk);
    return Outcome::kContinue;
  }
  call.noreply = false;  // memcached writes the error even after noreply
  call.out.line(error);
  return Outcome::kContinue;
}

}  // namespace cachelab::protocol::detail
