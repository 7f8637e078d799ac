#include "tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <climits>

namespace cachelab::server {

int tls_verify_flags(int mode) noexcept {
  switch (mode) {
    case 0: return SSL_VERIFY_NONE;
    case 1: return SSL_VERIFY_PEER;
    case 2: return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    case 3: return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE;
    default: return -1;
  }
}

int tls_min_version_code(int level) noexcept {
  switch (level) {
    case 0: return TLS1_VERSION;
    case 1: return TLS1_1_VERSION;
    case 2: return TLS1_2_VERSION;
    case 3: return TLS1_3_VERSION;
    default: return -1;
  }
}

std::string_view tls_version_text(int level) noexcept {
  switch (level) {
    case 0: return "tlsv1.0";
    case 1: return "tlsv1.1";
    case 2: return "tlsv1.2";
    case 3: return "tlsv1.3";
    default: return "unknown";
  }
}

namespace {

// OpenSSL's first queued error as text (as memcached prints it); the queue is emptied, so that
// a later failure on this thread does not report this one.
std::string take_ssl_error() {
  char text[256] = "";
  if (const unsigned long err = ERR_get_error(); err != 0) ERR_error_string_n(err, text, sizeof text);
  ERR_clear_error();
  return text;
}

// ssl_session_cache: memcached counts each new session (stats ssl_new_sessions).
int on_new_session(SSL* ssl, SSL_SESSION*) {
  if (auto* stats = static_cast<protocol::CommandStats*>(SSL_get_app_data(ssl)))
    stats->add(protocol::Counter::kSslNewSessions);
  return 0;  // the cache keeps no extra reference
}

constexpr unsigned char kSessionIdContext[] = "cachelab";

}  // namespace

std::shared_ptr<TlsContext> TlsContext::create(const protocol::TlsSettings& s, std::string* error) {
  ERR_clear_error();
  SSL_CTX* raw = SSL_CTX_new(TLS_server_method());
  if (!raw) {
    *error = "Error creating the TLS context: " + take_ssl_error();
    return nullptr;
  }
  std::shared_ptr<TlsContext> ctx(new TlsContext(raw));
  const int min_version = tls_min_version_code(s.min_version);
  const int verify = tls_verify_flags(s.verify_mode);
  if (min_version < 0 || verify < 0) {
    *error = min_version < 0 ? "Invalid ssl_min_version. Use help to see valid options."
                             : "Invalid ssl_verify_mode. Use help to see valid options.";
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(raw, min_version);
  // memcached's texts (tls.c), with OpenSSL's reason after the file.
  const std::string& key = s.key.empty() ? s.chain_cert : s.key;  // the key may sit in the chain file
  if (s.chain_cert.empty()) {
    *error = "Error loading the certificate chain: none given: -Z needs -o ssl_chain_cert=FILE";
    return nullptr;
  }
  if (SSL_CTX_use_certificate_chain_file(raw, s.chain_cert.c_str()) != 1) {
    *error = "Error loading the certificate chain: " + s.chain_cert + " : " + take_ssl_error();
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(raw, key.c_str(), s.keyformat) != 1) {
    *error = "Error loading the key: " + key + " : " + take_ssl_error();
    return nullptr;
  }
  if (SSL_CTX_check_private_key(raw) != 1) {
    *error = "Error validating the certificate: " + take_ssl_error();
    return nullptr;
  }
  if (!s.ca_cert.empty()) {
    if (SSL_CTX_load_verify_locations(raw, s.ca_cert.c_str(), nullptr) != 1) {
      *error = "Error loading the CA certificate: " + s.ca_cert + " : " + take_ssl_error();
      return nullptr;
    }
    // The CAs named to the client in the certificate request.
    SSL_CTX_set_client_CA_list(raw, SSL_load_client_CA_file(s.ca_cert.c_str()));
  }
  SSL_CTX_set_verify(raw, verify, nullptr);
  if (!s.ciphers.empty() && SSL_CTX_set_cipher_list(raw, s.ciphers.c_str()) != 1) {
    *error = "Error setting the provided cipher(s): " + s.ciphers;
    ERR_clear_error();
    return nullptr;
  }
  if (s.session_cache) {
    SSL_CTX_sess_set_new_cb(raw, on_new_session);
    SSL_CTX_set_session_cache_mode(raw, SSL_SESS_CACHE_SERVER);
    SSL_CTX_set_session_id_context(raw, kSessionIdContext, sizeof kSessionIdContext - 1);
  } else {
    SSL_CTX_set_session_cache_mode(raw, SSL_SESS_CACHE_OFF);
  }
  // ssl_kernel_tls is accepted and has no effect: records are made in memory (memory BIOs), and
  // the kernel can take over only from a socket BIO (docs/SECURITY.md).
  SSL_CTX_set_options(raw, SSL_OP_NO_RENEGOTIATION);
  // An idle connection holds no record buffers.
  SSL_CTX_set_mode(raw, SSL_MODE_RELEASE_BUFFERS);
  return ctx;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

bool TlsContextHolder::refresh(std::string* error) {
  std::shared_ptr<TlsContext> fresh = TlsContext::create(settings_, error);
  if (!fresh) return false;
  std::lock_guard lock(mutex_);
  current_.swap(fresh);
  return true;  // the old context goes when its last connection does
}

TlsSession::TlsSession(const std::shared_ptr<TlsContext>& context, ConnectionCore& core,
                       protocol::CommandStats& stats)
    : context_(context), core_(core), stats_(stats) {
  ssl_ = SSL_new(context_->native());
  network_in_ = BIO_new(BIO_s_mem());
  network_out_ = BIO_new(BIO_s_mem());
  if (!ssl_ || !network_in_ || !network_out_) {  // out of memory: process() closes
    BIO_free(network_in_);
    BIO_free(network_out_);
    SSL_free(ssl_);
    ssl_ = nullptr;
    network_in_ = network_out_ = nullptr;
    ERR_clear_error();
    return;
  }
  // A read from an empty memory BIO means "wait for more", not end of file.
  BIO_set_mem_eof_return(network_in_, -1);
  SSL_set_bio(ssl_, network_in_, network_out_);
  SSL_set_accept_state(ssl_);
  SSL_set_app_data(ssl_, &stats_);
}

TlsSession::~TlsSession() {
  // A connection that ends before its handshake completes counts as a failed handshake, as in
  // memcached (where SSL_accept then fails on end of file).
  if (ssl_ && !handshake_done_ && !handshake_counted_) stats_.add(protocol::Counter::kSslHandshakeErrors);
  SSL_free(ssl_);  // and both BIOs
}

std::span<char> TlsSession::read_space() {
  if (!ssl_) return {};
  if (input_.empty()) input_.resize(kReadChunk);
  return {input_.data(), input_.size()};
}

void TlsSession::received(std::size_t n) {
  // A memory BIO takes every byte (it grows); what it holds is bounded by what process() leaves
  // unread, at most one read and one unfinished record.
  BIO_write(network_in_, input_.data(), static_cast<int>(n));
}

std::string_view TlsSession::pending_replies() const noexcept {
  if (!network_out_) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(network_out_, &data);
  return n > 0 ? std::string_view(data, static_cast<std::size_t>(n)) : std::string_view();
}

bool TlsSession::written(std::size_t) {
  // Everything pending went out. A buffer grown for a large reply is given back; a small one
  // is emptied in place.
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(network_out_, &mem);
  if (mem && mem->max > kKeptOutputCapacity) {
    BIO* fresh = BIO_new(BIO_s_mem());
    if (fresh) {
      SSL_set0_wbio(ssl_, fresh);  // frees the old one
      network_out_ = fresh;
    } else {
      (void)BIO_reset(network_out_);
    }
  } else {
    (void)BIO_reset(network_out_);
  }
  return !close_after_write_;
}

bool TlsSession::waiting_for_request() const noexcept {
  if (!ssl_) return true;
  return BIO_ctrl_pending(network_in_) == 0 && SSL_pending(ssl_) == 0 && core_.waiting_for_request();
}

// A fatal TLS error: the alert OpenSSL queued (if any) is sent, then the connection closes.
ConnectionCore::Next TlsSession::fail(bool handshake) {
  if (handshake && !handshake_counted_) {
    handshake_counted_ = true;
    stats_.add(protocol::Counter::kSslHandshakeErrors);
  }
  ERR_clear_error();
  close_after_write_ = true;
  return pending_replies().empty() ? ConnectionCore::Next::kClose : ConnectionCore::Next::kWrite;
}

bool TlsSession::pull_plaintext(bool* got_any) {
  *got_any = false;
  for (;;) {
    const std::span<char> space = core_.read_space();
    if (space.empty()) return true;  // the core is full: it will ask again after its writes
    const int want = static_cast<int>(std::min<std::size_t>(space.size(), INT_MAX));
    const int n = SSL_read(ssl_, space.data(), want);
    if (n > 0) {
      core_.received(static_cast<std::size_t>(n));
      *got_any = true;
      continue;
    }
    switch (SSL_get_error(ssl_, n)) {
      case SSL_ERROR_WANT_READ:
      case SSL_ERROR_WANT_WRITE: return true;
      case SSL_ERROR_ZERO_RETURN:  // close_notify: answer what came before it, then close
        peer_closed_ = true;
        return true;
      default: return false;
    }
  }
}

bool TlsSession::encrypt(std::string_view plain) {
  while (!plain.empty()) {
    const int chunk = static_cast<int>(std::min<std::size_t>(plain.size(), 1 << 30));
    const int n = SSL_write(ssl_, plain.data(), chunk);  // a memory BIO takes it all
    if (n <= 0) return false;
    plain.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

ConnectionCore::Next TlsSession::after_output(ConnectionCore::Next otherwise) {
  return pending_replies().empty() ? otherwise : ConnectionCore::Next::kWrite;
}

ConnectionCore::Next TlsSession::process() {
  using Next = ConnectionCore::Next;
  if (!ssl_) return Next::kClose;
  if (close_after_write_) return Next::kClose;
  if (!handshake_done_) {
    const int rc = SSL_do_handshake(ssl_);
    if (rc != 1) {
      const int err = SSL_get_error(ssl_, rc);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return after_output(Next::kRead);
      return fail(true);  // bad version, no or untrusted client certificate, garbage...
    }
    handshake_done_ = true;
  }
  for (;;) {
    bool got = false;
    if (!pull_plaintext(&got)) return fail(false);
    const Next next = core_.process();
    if (next == Next::kWrite) {
      const std::string_view replies = core_.pending_replies();
      if (!encrypt(replies)) return fail(false);
      if (!core_.written(replies.size())) close_after_write_ = true;
      return Next::kWrite;
    }
    if (next == Next::kClose) {
      SSL_shutdown(ssl_);  // close_notify, then close
      close_after_write_ = true;
      return after_output(Next::kClose);
    }
    // The core waits for more: there may be more decrypted bytes than it had room for.
    if (got && SSL_pending(ssl_) > 0) continue;
    if (got && BIO_ctrl_pending(network_in_) > 0) continue;
    if (peer_closed_) {
      close_after_write_ = true;
      return after_output(Next::kClose);
    }
    // Records OpenSSL wrote on its own (TLS 1.3 session tickets after the handshake).
    return after_output(Next::kRead);
  }
}

}  // namespace cachelab::server
