#include "sasl_server.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cachelab/protocol/binary.h"

#ifdef CACHELAB_HAVE_SASL
#include <sasl/sasl.h>
#include <sasl/saslplug.h>
#endif

namespace cachelab::protocol {
namespace {
#ifdef CACHELAB_HAVE_SASL
char g_hostname[1025] = {0};
int g_verbose = 0;

// The directory Cyrus reads memcached.conf from: $SASL_CONF_PATH, else /etc/sasl or /etc/sasl2
// where memcached.conf is (memcached's locations, in its order).
int get_conf_path(void*, const char** path) {
  *path = std::getenv("SASL_CONF_PATH");
  if (*path == nullptr) {
    static const char* const kFiles[] = {"/etc/sasl/memcached.conf", "/etc/sasl2/memcached.conf"};
    static const char* const kDirs[] = {"/etc/sasl", "/etc/sasl2"};
    for (int i = 0; i < 2 && *path == nullptr; ++i)
      if (access(kFiles[i], F_OK) == 0) *path = kDirs[i];
  }
  return *path ? SASL_OK : SASL_FAIL;
}

int log_message(void*, int level, const char* message) {
  const bool show = level <= SASL_LOG_ERR || (level <= SASL_LOG_FAIL && g_verbose >= 1) || g_verbose >= 2;
  if (show && level != SASL_LOG_NONE) std::fprintf(stderr, "SASL (severity %d): %s\n", level, message);
  return SASL_OK;
}

using Callback = int (*)();
// Cyrus keeps every callback as int(*)(void); the cast goes through void(*)() (allowed by
// -Wcast-function-type) and Cyrus calls each with its own signature.
template <typename F>
Callback callback(F* f) {
  return reinterpret_cast<Callback>(reinterpret_cast<void (*)()>(f));
}
sasl_callback_t g_callbacks[] = {
    {SASL_CB_LOG, callback(&log_message), nullptr},
    {SASL_CB_GETCONFPATH, callback(&get_conf_path), nullptr},
    {SASL_CB_LIST_END, nullptr, nullptr},
};

bool open_conn(void*& conn) {
  if (conn) return true;
  sasl_conn_t* c = nullptr;
  if (sasl_server_new("memcached", nullptr, g_hostname[0] ? g_hostname : nullptr, nullptr, nullptr, nullptr, 0,
                      &c) != SASL_OK)
    return false;
  conn = c;
  return true;
}
#endif
}  // namespace

namespace binary {
bool sasl_init(int verbose, std::string* error) {
#ifdef CACHELAB_HAVE_SASL
  g_verbose = verbose;
  if (gethostname(g_hostname, sizeof g_hostname - 1) != 0) g_hostname[0] = '\0';
  if (sasl_server_init(g_callbacks, "memcached") != SASL_OK) {
    *error = "error initializing Cyrus SASL (is there a memcached.conf in $SASL_CONF_PATH, /etc/sasl or /etc/sasl2?)";
    return false;
  }
  return true;
#else
  (void)verbose;
  *error = "built without Cyrus SASL (libsasl2-dev)";
  return false;
#endif
}
}  // namespace binary

namespace sasl {

void dispose(void*& conn) {
#ifdef CACHELAB_HAVE_SASL
  if (conn) {
    auto* c = static_cast<sasl_conn_t*>(conn);
    sasl_dispose(&c);
  }
#endif
  conn = nullptr;
}

bool list_mechanisms(void*& conn, const ServerSettings& settings, std::string* out) {
  (void)settings;
#ifdef CACHELAB_HAVE_SASL
  if (!open_conn(conn)) return false;
  const char* list = nullptr;
  unsigned len = 0;
  if (sasl_listmech(static_cast<sasl_conn_t*>(conn), nullptr, "", " ", "", &list, &len, nullptr) != SASL_OK)
    return false;
  out->assign(list, len);
  return true;
#else
  (void)conn;
  (void)out;
  return false;
#endif
}

Result exchange(void*& conn, const ServerSettings& settings, bool start, bool* started, std::string_view mech,
                std::string_view data, std::string* challenge) {
  (void)settings;
#ifdef CACHELAB_HAVE_SASL
  if (!open_conn(conn)) return Result::kFail;
  auto* c = static_cast<sasl_conn_t*>(conn);
  const std::string mech_name(mech);
  const char* out = nullptr;
  unsigned outlen = 0;
  int r = SASL_FAIL;
  const char* in = data.empty() ? nullptr : data.data();
  if (start) {
    r = sasl_server_start(c, mech_name.c_str(), in, static_cast<unsigned>(data.size()), &out, &outlen);
    *started = r == SASL_OK || r == SASL_CONTINUE;
  } else if (*started) {
    r = sasl_server_step(c, in, static_cast<unsigned>(data.size()), &out, &outlen);
  }
  if (r == SASL_OK) return Result::kOk;
  if (r == SASL_CONTINUE) {
    challenge->assign(out ? out : "", outlen);
    return Result::kContinue;
  }
  return Result::kFail;
#else
  (void)conn;
  (void)start;
  (void)started;
  (void)mech;
  (void)data;
  (void)challenge;
  return Result::kFail;
#endif
}

}  // namespace sasl
}  // namespace cachelab::protocol
