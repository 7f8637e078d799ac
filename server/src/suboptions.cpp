#include "cachelab/server/suboptions.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>

namespace cachelab::server {
namespace {

using Value = std::optional<std::string_view>;  // absent: "name" without "=value"
// Returns an error (memcached's words) or empty.
using Apply = std::string (*)(Value value, protocol::ServerSettings& s);

// A whole decimal number, as memcached's safe_strtol/safe_strtoul accept (no sign for unsigned).
template <typename T>
bool whole_number(std::string_view text, T* out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::string set_string(Value v, std::string& field, const char* name) {
  if (!v) return std::string("Missing ") + name + " argument";
  field = std::string(*v);
  return {};
}

std::string set_int(Value v, int& field, const char* name, int lo, int hi, const char* invalid) {
  if (!v) return std::string("Missing ") + name + " argument";
  int n = 0;
  if (!whole_number(*v, &n)) return std::string("could not parse argument to ") + name;
  if (n < lo || n > hi) return invalid;
  field = n;
  return {};
}

struct Suboption {
  std::string_view name;
  Apply apply;  // null: accepted, means nothing here
};

// In memcached's order (memcached.c's subopts_tokens, then extstore's).
constexpr std::array kSuboptions = {
    // Over -c, a new connection is told "ERROR Too many open connections" and closed: that is
    // what cachelab always does, as memcached's default maxconns_fast.
    Suboption{"maxconns_fast", [](Value, protocol::ServerSettings&) { return std::string(); }},
    Suboption{"hashpower", nullptr},
    Suboption{"no_hashexpand", nullptr},
    Suboption{"slab_reassign", nullptr},
    Suboption{"slab_automove", nullptr},
    Suboption{"slab_automove_ratio", nullptr},
    Suboption{"slab_automove_window", nullptr},
    Suboption{"tail_repair_time", nullptr},
    Suboption{"hash_algorithm", nullptr},
    Suboption{"lru_crawler", nullptr},
    Suboption{"lru_crawler_sleep", nullptr},
    Suboption{"lru_crawler_tocrawl", nullptr},
    Suboption{"lru_maintainer", nullptr},
    Suboption{"hot_lru_pct", nullptr},
    Suboption{"warm_lru_pct", nullptr},
    Suboption{"hot_max_factor", nullptr},
    Suboption{"warm_max_factor", nullptr},
    Suboption{"temporary_ttl", nullptr},
    Suboption{"idle_timeout",
              [](Value v, protocol::ServerSettings& s) {
                if (!v) return std::string("Missing numeric argument for idle_timeout");
                std::uint32_t n = 0;
                if (!whole_number(*v, &n)) return std::string("could not parse argument to idle_timeout");
                s.idle_timeout = n;
                return std::string();
              }},
    Suboption{"watcher_logbuf_size", nullptr},
    Suboption{"worker_logbuf_size", nullptr},
    Suboption{"slab_sizes", nullptr},
    Suboption{"slab_chunk_max", nullptr},
    Suboption{"track_sizes", nullptr},
    Suboption{"no_inline_ascii_resp", nullptr},
    Suboption{"modern", nullptr},
    Suboption{"no_modern", nullptr},
    Suboption{"no_chunked_items", nullptr},
    Suboption{"no_slab_reassign", nullptr},
    Suboption{"no_slab_automove", nullptr},
    Suboption{"no_maxconns_fast", nullptr},
    Suboption{"inline_ascii_resp", nullptr},
    Suboption{"no_lru_crawler", nullptr},
    Suboption{"no_lru_maintainer", nullptr},
    Suboption{"no_drop_privileges", nullptr},
    Suboption{"drop_privileges", nullptr},
    Suboption{"resp_obj_mem_limit", nullptr},
    Suboption{"read_buf_mem_limit", nullptr},
    Suboption{"ssl_chain_cert",
              [](Value v, protocol::ServerSettings& s) { return set_string(v, s.tls.chain_cert, "ssl_chain_cert"); }},
    Suboption{"ssl_key", [](Value v, protocol::ServerSettings& s) { return set_string(v, s.tls.key, "ssl_key"); }},
    Suboption{"ssl_verify_mode",
              [](Value v, protocol::ServerSettings& s) {
                return set_int(v, s.tls.verify_mode, "ssl_verify_mode", 0, 3,
                               "Invalid ssl_verify_mode. Use help to see valid options.");
              }},
    Suboption{"ssl_keyformat",
              [](Value v, protocol::ServerSettings& s) {
                return set_int(v, s.tls.keyformat, "ssl_keyformat", 1, 2,
                               "Invalid ssl_keyformat: 1 (PEM) or 2 (ASN1) here");
              }},
    Suboption{"ssl_ciphers",
              [](Value v, protocol::ServerSettings& s) { return set_string(v, s.tls.ciphers, "ssl_ciphers"); }},
    Suboption{"ssl_ca_cert",
              [](Value v, protocol::ServerSettings& s) { return set_string(v, s.tls.ca_cert, "ssl_ca_cert"); }},
    Suboption{"ssl_wbuf_size",
              [](Value v, protocol::ServerSettings& s) {
                if (!v) return std::string("Missing ssl_wbuf_size argument");
                std::uint32_t kib = 0;
                if (!whole_number(*v, &kib) || kib > (1u << 22))
                  return std::string("could not parse argument to ssl_wbuf_size");
                s.tls.wbuf_size = kib * 1024;
                return std::string();
              }},
    Suboption{"ssl_session_cache",
              [](Value, protocol::ServerSettings& s) {
                s.tls.session_cache = true;
                return std::string();
              }},
    Suboption{"ssl_kernel_tls",
              [](Value, protocol::ServerSettings& s) {
                s.tls.kernel_tls = true;
                return std::string();
              }},
    Suboption{"ssl_min_version",
              [](Value v, protocol::ServerSettings& s) {
                return set_int(v, s.tls.min_version, "ssl_min_version", 0, 3,
                               "Invalid ssl_min_version. Use help to see valid options.");
              }},
    Suboption{"sock_cookie_id", nullptr},
    Suboption{"ext_page_size", nullptr},
    Suboption{"ext_wbuf_size", nullptr},
    Suboption{"ext_threads", nullptr},
    Suboption{"ext_io_depth", nullptr},
    Suboption{"ext_path", nullptr},
    Suboption{"ext_item_size", nullptr},
    Suboption{"ext_item_age", nullptr},
    Suboption{"ext_low_ttl", nullptr},
    Suboption{"ext_recache_rate", nullptr},
    Suboption{"ext_compact_under", nullptr},
    Suboption{"ext_drop_under", nullptr},
    Suboption{"ext_max_sleep", nullptr},
    Suboption{"ext_max_frag", nullptr},
    Suboption{"ext_drop_unread", nullptr},
    Suboption{"slab_automove_freeratio", nullptr},
};

}  // namespace

bool apply_suboptions(std::string_view list, protocol::ServerSettings& settings, SuboptionReport& report) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.empty()) continue;  // "a,,b": getsubopt skips it too
    const std::size_t eq = item.find('=');
    const std::string_view name = item.substr(0, eq);
    const Value value = eq == std::string_view::npos ? Value() : Value(item.substr(eq + 1));
    const auto known = std::find_if(kSuboptions.begin(), kSuboptions.end(),
                                    [&](const Suboption& o) { return o.name == name; });
    if (known == kSuboptions.end()) {
      report.error = "Illegal suboption \"" + std::string(item) + "\"";
      return false;
    }
    if (!known->apply) {
      if (std::find(report.no_effect.begin(), report.no_effect.end(), name) == report.no_effect.end())
        report.no_effect.emplace_back(name);
      continue;
    }
    if (std::string error = known->apply(value, settings); !error.empty()) {
      report.error = std::move(error);
      return false;
    }
  }
  return true;
}

}  // namespace cachelab::server
