#pragma once
// Cyrus SASL for the binary protocol's -S, found and configured as memcached finds it: the
// application name "memcached" (so Cyrus reads memcached.conf from $SASL_CONF_PATH, else
// /etc/sasl/memcached.conf or /etc/sasl2/memcached.conf), and, when $MEMCACHED_SASL_PWDB names
// a file of `user:password` lines, that file checks plain-text passwords.
// Without libsasl2 at build time every call fails (and serve refuses -S).
#include <string>
#include <string_view>

#include "cachelab/protocol/server_state.h"

namespace cachelab::protocol::sasl {

enum class Result { kOk, kContinue, kFail };

// Frees one connection's SASL state (null is fine).
void dispose(void*& conn);
// The mechanisms offered, space-separated.
bool list_mechanisms(void*& conn, const ServerSettings& settings, std::string* out);
// SASL_AUTH (start) or SASL_STEP with mechanism `mech` and the client's data.
Result exchange(void*& conn, const ServerSettings& settings, bool start, bool* started, std::string_view mech,
                std::string_view data, std::string* challenge);

}  // namespace cachelab::protocol::sasl
