// TlsSession, driven purely in memory as a transport drives it, against an OpenSSL client over
// memory BIOs: the handshake, requests and replies of any size, mutual TLS, a refused old
// version, garbage, and refresh_certs' new context for new sessions only.
#include <catch2/catch.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

#include "../protocol/protocol_test_util.h"
#include "session.h"
#include "tls.h"

using namespace cachelab;
using server::ConnectionCore;
using server::TlsContext;
using server::TlsSession;
using Next = ConnectionCore::Next;

namespace {

namespace fs = std::filesystem;

// A key and a certificate, signed by `issuer` (self-signed when null), written as PEM files.
struct Identity {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  std::string key_path, cert_path;
  ~Identity() {
    EVP_PKEY_free(key);
    X509_free(cert);
  }
};

std::unique_ptr<Identity> make_identity(const fs::path& dir, const std::string& name, const Identity* issuer,
                                        bool ca) {
  auto id = std::make_unique<Identity>();
  id->key = EVP_EC_gen("P-256");
  REQUIRE(id->key);
  id->cert = X509_new();
  X509_set_version(id->cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(id->cert), static_cast<long>(std::hash<std::string>{}(name) & 0x7fffffff));
  X509_gmtime_adj(X509_getm_notBefore(id->cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(id->cert), 3600);
  X509_set_pubkey(id->cert, id->key);
  X509_NAME* subject = X509_get_subject_name(id->cert);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509_set_issuer_name(id->cert, issuer ? X509_get_subject_name(issuer->cert) : subject);
  if (ca) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, id->cert, id->cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, NID_basic_constraints, "critical,CA:TRUE");
    X509_add_ext(id->cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  REQUIRE(X509_sign(id->cert, issuer ? issuer->key : id->key, EVP_sha256()) > 0);
  id->key_path = (dir / (name + ".key")).string();
  id->cert_path = (dir / (name + ".crt")).string();
  std::FILE* f = std::fopen(id->key_path.c_str(), "w");
  REQUIRE(f);
  PEM_write_PrivateKey(f, id->key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  f = std::fopen(id->cert_path.c_str(), "w");
  REQUIRE(f);
  PEM_write_X509(f, id->cert);
  std::fclose(f);
  return id;
}

// A CA, a server certificate it signed, a client certificate it signed, and one from another CA.
struct Pki {
  Pki() : dir(fs::temp_directory_path() / ("cachelab-tls-test-" + std::to_string(::getpid()))) {
    fs::create_directories(dir);
    ca = make_identity(dir, "ca", nullptr, true);
    server = make_identity(dir, "server", ca.get(), false);
    client = make_identity(dir, "client", ca.get(), false);
    other_ca = make_identity(dir, "other-ca", nullptr, true);
    stranger = make_identity(dir, "stranger", other_ca.get(), false);
  }
  ~Pki() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  protocol::TlsSettings settings(int verify_mode = 0) const {
    protocol::TlsSettings s;
    s.enabled = true;
    s.chain_cert = server->cert_path;
    s.key = server->key_path;
    s.ca_cert = ca->cert_path;
    s.verify_mode = verify_mode;
    return s;
  }
  fs::path dir;
  std::unique_ptr<Identity> ca, server, client, other_ca, stranger;
};

// The client end: an SSL over two memory BIOs.
struct Client {
  explicit Client(const Pki& pki, const Identity* id = nullptr, int max_version = 0) {
    ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, pki.ca->cert_path.c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (max_version) {
      SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
      SSL_CTX_set_max_proto_version(ctx, max_version);
      SSL_CTX_set_security_level(ctx, 0);
    }
    if (id) {
      SSL_CTX_use_certificate(ctx, id->cert);
      SSL_CTX_use_PrivateKey(ctx, id->key);
    }
    ssl = SSL_new(ctx);
    in = BIO_new(BIO_s_mem());
    out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in, -1);
    SSL_set_bio(ssl, in, out);
    SSL_set_connect_state(ssl);
  }
  ~Client() {
    SSL_free(ssl);
    SSL_CTX_free(ctx);
  }
  std::string take_output() {
    std::string bytes;
    char buf[4096];
    int n;
    while ((n = BIO_read(out, buf, sizeof buf)) > 0) bytes.append(buf, static_cast<std::size_t>(n));
    return bytes;
  }
  SSL_CTX* ctx;
  SSL* ssl;
  BIO* in;
  BIO* out;
};

struct Fixture {
  Fixture() { fake.state.connections.current.store(1); }
  test::FakeServer fake;
  Pki pki;
};

// One server connection: a TlsSession over its core, driven as the engines drive it. Bytes the
// server writes go to the client's input.
struct ServerSide {
  ServerSide(Fixture& f, const std::shared_ptr<TlsContext>& ctx)
      : core(f.fake.state, f.fake.state.worker_stats(0), 9), tls(ctx, core, f.fake.state.worker_stats(0)) {
    f.fake.state.connections.current.fetch_add(1);
  }
  // Delivers `bytes` in reads of at most `chunk`; runs process() and the writes until the session
  // waits for the network again. Returns the last Next (kRead or kClose).
  Next feed(std::string_view bytes, Client& client, std::size_t chunk = 1 << 20) {
    Next next = Next::kRead;
    do {
      if (!bytes.empty()) {
        const auto space = tls.read_space();
        REQUIRE(!space.empty());
        const std::size_t n = std::min({space.size(), bytes.size(), chunk});
        std::memcpy(space.data(), bytes.data(), n);
        tls.received(n);
        bytes.remove_prefix(n);
      }
      while ((next = tls.process()) == Next::kWrite) {
        const std::string_view out = tls.pending_replies();
        REQUIRE(!out.empty());
        BIO_write(client.in, out.data(), static_cast<int>(out.size()));
        if (!tls.written(out.size())) return Next::kClose;
      }
      if (next == Next::kClose) return next;
    } while (!bytes.empty());
    return next;
  }
  ConnectionCore core;
  TlsSession tls;
};

// Runs the handshake to its end on both sides; true when it succeeded on both.
bool handshake(ServerSide& server, Client& client) {
  for (int round = 0; round < 10; ++round) {
    const int rc = SSL_do_handshake(client.ssl);
    // Asked at once: writing into the client's BIO below clears the retry flags it reads.
    const int err = rc == 1 ? SSL_ERROR_NONE : SSL_get_error(client.ssl, rc);
    const std::string to_server = client.take_output();
    const Next next = server.feed(to_server, client);
    if (rc == 1 && server.tls.handshake_done()) return true;
    if (next == Next::kClose) {
      SSL_do_handshake(client.ssl);  // reads the alert
      return false;
    }
    if (rc != 1 && err != SSL_ERROR_WANT_READ) {
      char text[256] = "";
      ERR_error_string_n(ERR_peek_error(), text, sizeof text);
      UNSCOPED_INFO("client handshake: " << text << " err " << err << " round " << round);
      return false;
    }
  }
  return false;
}

// Sends a request as the client, returns the reply bytes (decrypted) the server wrote.
std::string exchange(ServerSide& server, Client& client, const std::string& request, std::size_t chunk = 1 << 20) {
  REQUIRE(SSL_write(client.ssl, request.data(), static_cast<int>(request.size())) == static_cast<int>(request.size()));
  server.feed(client.take_output(), client, chunk);
  std::string reply;
  char buf[16384];
  int n;
  while ((n = SSL_read(client.ssl, buf, sizeof buf)) > 0) reply.append(buf, static_cast<std::size_t>(n));
  return reply;
}

std::shared_ptr<TlsContext> context(const protocol::TlsSettings& s) {
  std::string error;
  auto ctx = TlsContext::create(s, &error);
  INFO(error);
  REQUIRE(ctx);
  return ctx;
}

}  // namespace

TEST_CASE_METHOD(Fixture, "tls session: handshake, then requests and replies as over plain TCP", "[tls]") {
  auto ctx = context(pki.settings());
  ServerSide server(*this, ctx);
  Client client(pki);
  REQUIRE(handshake(server, client));
  CHECK(exchange(server, client, "set k 0 0 5\r\nhello\r\nget k\r\n") == "STORED\r\nVALUE k 0 5\r\nhello\r\nEND\r\n");
  CHECK(server.tls.waiting_for_request());
  // A 1 MB-ish value, delivered in small network reads, comes back whole.
  const std::string big(1000 * 1000, 'v');
  const std::string set = "set big 7 0 " + std::to_string(big.size()) + "\r\n" + big + "\r\n";
  CHECK(exchange(server, client, set, 1000) == "STORED\r\n");
  const std::string got = exchange(server, client, "get big k\r\n");
  CHECK(got == "VALUE big 7 " + std::to_string(big.size()) + "\r\n" + big + "\r\nVALUE k 0 5\r\nhello\r\nEND\r\n");
  CHECK(fake.state.worker_stats(0).get(protocol::Counter::kSslHandshakeErrors) == 0);
}

TEST_CASE_METHOD(Fixture, "tls session: quit sends close_notify and closes", "[tls]") {
  auto ctx = context(pki.settings());
  ServerSide server(*this, ctx);
  Client client(pki);
  REQUIRE(handshake(server, client));
  REQUIRE(SSL_write(client.ssl, "quit\r\n", 6) == 6);
  CHECK(server.feed(client.take_output(), client) == Next::kClose);
  char buf[16];
  const int n = SSL_read(client.ssl, buf, sizeof buf);
  CHECK(n <= 0);
  CHECK(SSL_get_error(client.ssl, n) == SSL_ERROR_ZERO_RETURN);
}

TEST_CASE_METHOD(Fixture, "tls session: mutual TLS refuses a client without a certificate of the CA", "[tls]") {
  auto ctx = context(pki.settings(2));
  SECTION("no certificate") {
    ServerSide server(*this, ctx);
    Client client(pki);
    CHECK_FALSE(handshake(server, client));
  }
  SECTION("a certificate from another CA") {
    ServerSide server(*this, ctx);
    Client client(pki, pki.stranger.get());
    CHECK_FALSE(handshake(server, client));
  }
  SECTION("a certificate from the CA") {
    ServerSide server(*this, ctx);
    Client client(pki, pki.client.get());
    REQUIRE(handshake(server, client));
    CHECK(exchange(server, client, "version\r\n").rfind("VERSION ", 0) == 0);
  }
  CHECK(fake.state.worker_stats(0).get(protocol::Counter::kSslHandshakeErrors) <= 1);
}

TEST_CASE_METHOD(Fixture, "tls session: TLS 1.1 is refused by default and counted", "[tls]") {
  auto ctx = context(pki.settings());
  {
    ServerSide server(*this, ctx);
    Client client(pki, nullptr, TLS1_1_VERSION);
    CHECK_FALSE(handshake(server, client));
  }
  CHECK(fake.state.worker_stats(0).get(protocol::Counter::kSslHandshakeErrors) == 1);
}

TEST_CASE_METHOD(Fixture, "tls session: garbage instead of a handshake closes the connection", "[tls]") {
  auto ctx = context(pki.settings());
  ServerSide server(*this, ctx);
  Client client(pki);
  CHECK(server.feed("get k\r\n", client) == Next::kClose);
  CHECK(fake.state.worker_stats(0).get(protocol::Counter::kSslHandshakeErrors) == 1);
}

TEST_CASE_METHOD(Fixture, "tls session: bad files are refused with memcached's words", "[tls]") {
  std::string error;
  auto s = pki.settings();
  s.chain_cert = (pki.dir / "missing.crt").string();
  CHECK_FALSE(TlsContext::create(s, &error));
  CHECK(error.rfind("Error loading the certificate chain: " + s.chain_cert + " : ", 0) == 0);
  s = pki.settings();
  s.key = pki.client->key_path;  // not the certificate's key
  CHECK_FALSE(TlsContext::create(s, &error));
  CHECK(error.rfind("Error loading the key: " + s.key + " : ", 0) == 0);  // OpenSSL 3 finds the mismatch here
  s = pki.settings();
  s.ca_cert = (pki.dir / "missing-ca.crt").string();
  CHECK_FALSE(TlsContext::create(s, &error));
  CHECK(error.rfind("Error loading the CA certificate: " + s.ca_cert + " : ", 0) == 0);
}

TEST_CASE_METHOD(Fixture, "tls session: refresh swaps the context for new sessions only", "[tls]") {
  server::TlsContextHolder holder(pki.settings(), context(pki.settings()));
  auto before = holder.current();
  ServerSide old_server(*this, before);
  Client old_client(pki);
  REQUIRE(handshake(old_server, old_client));
  std::string error;
  REQUIRE(holder.refresh(&error));
  CHECK(holder.current() != before);
  before.reset();  // the old connection still holds its context
  CHECK(exchange(old_server, old_client, "get x\r\n") == "END\r\n");
  ServerSide new_server(*this, holder.current());
  Client new_client(pki);
  CHECK(handshake(new_server, new_client));
}

TEST_CASE("session: idle_timeout applies only to a connection waiting for a request", "[tls]") {
  protocol::ServerSettings settings;
  settings.idle_timeout = 2;
  test::FakeServer fake(settings);
  fake.state.connections.current.store(2);
  const auto later = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  server::Session session(fake.state, fake.state.worker_stats(0), 5, nullptr);
  CHECK_FALSE(session.idle_expired(std::chrono::steady_clock::now()));
  CHECK(session.idle_expired(later));
  // Half a request buffered: busy, never idle.
  const std::string half = "set k 0 0 5\r\nhe";
  const auto space = session.read_space();
  std::memcpy(space.data(), half.data(), half.size());
  session.received(half.size());
  CHECK(session.process() == Next::kRead);
  CHECK_FALSE(session.idle_expired(later + std::chrono::seconds(10)));
  // Without a timeout, never.
  test::FakeServer no_timeout;
  server::Session other(no_timeout.state, no_timeout.state.worker_stats(0), 6, nullptr);
  no_timeout.state.connections.current.store(1);
  CHECK_FALSE(other.idle_expired(later + std::chrono::hours(1)));
}
