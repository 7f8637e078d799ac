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
      if (counter_group(c) == group) out.stat(counter_name(c), st.total(c));
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
  out.stat("policy", st.store.policy_name());
  if (!s.io_engine.empty()) out.stat("io_engine", s.io_engine);
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
