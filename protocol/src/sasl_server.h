#pragma once
// Cyrus SASL for the binary protocol's -S, configured as Debian's memcached 1.6.18 finds it: the
// application name "memcached", so Cyrus reads memcached.conf from $SASL_CONF_PATH, else from
// /etc/sasl or /etc/sasl2 (where memcached.conf is), and its mech_list, sasldb_path... apply.
// (Upstream's optional $MEMCACHED_SASL_PWDB password file is not built into Debian's memcached,
// and not offered here either.)
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
