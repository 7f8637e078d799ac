#pragma once
// memcached's extended options (-o name[=value],...): every name memcached 1.6.18 (as Debian
// builds it: TLS and extstore in, proxy out) accepts is either applied to the settings here or
// reported as having no meaning in cachelab; any other name is refused with memcached's words.
#include <string>
#include <string_view>
#include <vector>

#include "cachelab/protocol/server_state.h"

namespace cachelab::server {

struct SuboptionReport {
  std::vector<std::string> no_effect;  // accepted names that change nothing here (for one warning)
  std::string error;                   // memcached's message for the first refused option
};

// Applies one -o argument (a comma-separated list, as memcached's getsubopt reads it).
// False when an option is refused: `report.error` says which and why.
bool apply_suboptions(std::string_view list, protocol::ServerSettings& settings, SuboptionReport& report);

}  // namespace cachelab::server
