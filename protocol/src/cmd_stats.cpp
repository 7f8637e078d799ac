// stats, stats settings|items|slabs|reset.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

#include "handlers.h"

namespace cachelab::protocol::detail {
namespace {

std::string seconds_text(const timeval& tv) {
  char text[48];
  std::snprintf(text, sizeof text, "%ld.%06ld", static_cast<long>(tv.tv_sec), static_cast<long>(tv.tv_usec));
  return text;
}

void general_stats(Call& call) {
  ServerState& st = call.state;
  ReplyBuffer& out = call.out;
  const StoreStats store = st.store.stats();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  out.stat("pid", static_cast<std::uint64_t>(getpid()));
  out.stat("uptime", static_cast<std::uint64_t>(call.now_unix - st.started_unix));
  out.stat("time", static_cast<std::uint64_t>(call.now_unix));
  out.stat("version", st.settings.version);
  if (!st.settings.cachelab_version.empty()) out.stat("cachelab_version", st.settings.cachelab_version);
  out.stat("pointer_size", static_cast<std::uint64_t>(sizeof(void*) * 8));
  out.stat("rusage_user", seconds_text(usage.ru_utime));
  out.stat("rusage_system", seconds_text(usage.ru_stime));
  out.stat("max_connections", st.settings.max_connections);
  out.stat("curr_connections", st.connections.current.load(std::memory_order_relaxed));
  out.stat("total_connections", st.connections.total.load(std::memory_order_relaxed));
  out.stat("rejected_connections", st.connections.rejected.load(std::memory_order_relaxed));
  out.stat("write_stall_closes", st.connections.write_stalled.load(std::memory_order_relaxed));
  auto counters = [&](CounterGroup group) {
    for (std::size_t i = 0; i < static_cast<std::size_t>(Counter::kCount); ++i) {
      const auto c = static_cast<Counter>(i);
      if (counter_group(c) != group) continue;
      if (c == Counter::kIdleKicks && st.settings.idle_timeout == 0) continue;  // as memcached
      out.stat(counter_name(c), st.total(c));
    }
  };
  counters(CounterGroup::kBeforeExpired);
  out.stat("get_expired", store.expired_misses);
  out.stat("get_flushed", std::uint64_t{0});
  counters(CounterGroup::kAfterExpired);
  out.stat("limit_maxbytes", st.store.config().capacity);
  out.stat("accepting_conns", std::uint64_t{1});
  out.stat("threads", static_cast<std::uint64_t>(st.settings.threads));
  out.stat("bytes", store.bytes);
  out.stat("curr_items", store.curr_items);
  out.stat("total_items", store.total_items);
  out.stat("expired_unfetched", store.expired_unfetched);
  out.stat("evicted_unfetched", store.evicted_unfetched);
  out.stat("evictions", store.evictions);
  out.stat("reclaimed", store.expirations);
  out.stat("policy", st.store.policy_name());
  for (const auto& [name, value] : st.store.policy_stats()) out.stat("policy_" + name, value);
  out.stat("shards", static_cast<std::uint64_t>(st.store.shard_count()));
  if (st.trace) {  // --trace-out: records queued for the file, and records lost (queue full)
    out.stat("trace_records", st.trace->recorded());
    out.stat("trace_dropped", st.trace->dropped());
  }
  if (st.settings.tls.enabled) {  // memcached's TLS counters, printed as it prints them
    if (st.settings.tls.session_cache) out.stat("ssl_new_sessions", st.total(Counter::kSslNewSessions));
    out.stat("ssl_handshake_errors", st.total(Counter::kSslHandshakeErrors));
    const std::int64_t loaded = st.certs_loaded_unix.load(std::memory_order_relaxed);
    out.stat("time_since_server_cert_refresh",
             static_cast<std::uint64_t>(call.now_unix > loaded ? call.now_unix - loaded : 0));
  }
}

// memcached's ssl_verify_mode value: OpenSSL's SSL_VERIFY_* bits for -o ssl_verify_mode=0..3
// (NONE 0, PEER 1, FAIL_IF_NO_PEER_CERT 2, CLIENT_ONCE 4).
std::uint64_t verify_mode_bits(int mode) {
  static constexpr std::uint64_t kBits[] = {0, 1, 1 | 2, 1 | 2 | 4};
  return mode >= 0 && mode <= 3 ? kBits[mode] : 0;
}

std::string_view tls_version_name(int level) {
  static constexpr std::string_view kNames[] = {"tlsv1.0", "tlsv1.1", "tlsv1.2", "tlsv1.3"};
  return level >= 0 && level <= 3 ? kNames[level] : std::string_view("unknown");
}

void settings_stats(Call& call) {
  const ServerState& st = call.state;
  const ServerSettings& s = st.settings;
  ReplyBuffer& out = call.out;
  auto yes_no = [](bool b) { return b ? std::string_view("yes") : std::string_view("no"); };
  out.stat("maxbytes", st.store.config().capacity);
  out.stat("maxconns", s.max_connections);
  out.stat("tcpport", static_cast<std::uint64_t>(s.port));
  out.stat("udpport", std::uint64_t{0});
  out.stat("inter", s.interface.empty() ? std::string_view("NULL") : std::string_view(s.interface));
  out.stat("verbosity", static_cast<std::uint64_t>(st.verbosity.load(std::memory_order_relaxed)));
  out.stat("evictions", st.store.config().evictions_enabled ? "on" : "off");
  out.stat("domain_socket",
           s.unix_socket.empty() ? std::string_view("NULL") : std::string_view(s.unix_socket));
  out.stat("shutdown_command", yes_no(s.allow_shutdown));
  out.stat("num_threads", static_cast<std::uint64_t>(s.threads));
  out.stat("cas_enabled", yes_no(s.cas_enabled));
  out.stat("item_size_max", st.store.config().max_item_size);
  out.stat("flush_enabled", yes_no(s.flush_enabled));
  out.stat("auth_enabled_sasl", "no");
  out.stat("auth_enabled_ascii", s.auth_file.empty() ? std::string_view("no") : std::string_view(s.auth_file));
  out.stat("idle_timeout", static_cast<std::uint64_t>(s.idle_timeout));
  out.stat("policy", st.store.policy_name());
  if (!s.io_engine.empty()) out.stat("io_engine", s.io_engine);
  // memcached's TLS settings (an unset file is printed as memcached prints a null one).
  const TlsSettings& tls = s.tls;
  auto or_null = [](const std::string& v) { return v.empty() ? std::string_view("(null)") : std::string_view(v); };
  out.stat("ssl_enabled", yes_no(tls.enabled));
  out.stat("ssl_chain_cert", or_null(tls.chain_cert));
  out.stat("ssl_key", or_null(tls.key));
  out.stat("ssl_verify_mode", verify_mode_bits(tls.verify_mode));
  out.stat("ssl_keyformat", static_cast<std::uint64_t>(tls.keyformat));
  out.stat("ssl_ciphers", tls.ciphers.empty() ? std::string_view("NULL") : std::string_view(tls.ciphers));
  out.stat("ssl_ca_cert", tls.ca_cert.empty() ? std::string_view("NULL") : std::string_view(tls.ca_cert));
  out.stat("ssl_wbuf_size", static_cast<std::uint64_t>(tls.wbuf_size));
  out.stat("ssl_session_cache", yes_no(tls.session_cache));
  out.stat("ssl_kernel_tls", yes_no(tls.kernel_tls));
  out.stat("ssl_min_version", tls_version_name(tls.min_version));
}

// One "slab class" holds every item here: there are no slabs, but tools read these names.
void items_stats(Call& call) {
  const StoreStats store = call.state.store.stats();
  if (store.curr_items == 0) return;
  ReplyBuffer& out = call.out;
  out.stat("items:1:number", store.curr_items);
  out.stat("items:1:mem_requested", store.bytes);
  out.stat("items:1:evicted", store.evictions);
  out.stat("items:1:outofmemory", call.state.total(Counter::kStoreNoMemory));
  out.stat("items:1:reclaimed", store.expirations);
  out.stat("items:1:expired_unfetched", store.expired_unfetched);
  out.stat("items:1:evicted_unfetched", store.evicted_unfetched);
}

void slabs_stats(Call& call) {
  const StoreStats store = call.state.store.stats();
  call.out.stat("active_slabs", std::uint64_t{store.curr_items > 0 ? 1u : 0u});
  call.out.stat("total_malloced", store.bytes);
}

}  // namespace

Outcome handle_stats(Call& call) {
  const auto& t = call.tokens();
  if (t.size() == 1) {
    general_stats(call);
  } else if (t[1] == "reset") {
    call.state.reset_counters();
    call.out.line("RESET");
    return Outcome::kContinue;
  } else if (t[1] == "settings") {
    settings_stats(call);
  } else if (t[1] == "items") {
    items_stats(call);
  } else if (t[1] == "slabs") {
    slabs_stats(call);
  } else if (t[1] == "detail") {
    call.out.line("CLIENT_ERROR usage: stats detail on|off|dump");
    return Outcome::kContinue;
  } else {
    call.out.line(reply::kError);
    return Outcome::kContinue;
  }
  call.out.line(reply::kEnd);
  return Outcome::kContinue;
}

}  // namespace cachelab::protocol::detail
