#include <algorithm>
#include <cstdio>
#include <unordered_map>
#include <vector>

#include "cachelab/sim/trace_tools.h"

namespace cachelab::sim {

TraceInfo summarize_trace(TraceReader& reader) {
  TraceInfo info;
  std::unordered_map<std::uint64_t, std::uint64_t> counts;
  std::vector<Request> batch(4096);
  while (const std::size_t n = reader.read(batch)) {
    for (std::size_t i = 0; i < n; ++i) {
      const Request& r = batch[i];
      if (info.requests == 0) info.first_time_ms = r.time_ms;
      info.last_time_ms = r.time_ms;
      ++info.requests;
      info.request_bytes += r.size;
      switch (r.op) {
        case RequestOp::kRead: ++info.reads; break;
        case RequestOp::kWrite: ++info.writes; break;
        case RequestOp::kDelete: ++info.deletes; break;
      }
      if (r.ttl_ms > 0) ++info.ttl_ms[r.ttl_ms];
      else ++info.no_ttl;
      auto [it, fresh] = counts.try_emplace(r.key, 0);
      if (fresh) info.working_set_bytes += r.size;
      ++it->second;
      ++info.tenants[r.tenant];
    }
  }
  info.unique_keys = counts.size();
  for (const auto& [key, n] : counts) info.one_hit_wonders += n == 1;
  return info;
}

void print_trace_info(std::ostream& out, const std::string& path, const TraceInfo& info) {
  auto pct = [&](std::uint64_t n) { return info.requests ? 100.0 * double(n) / double(info.requests) : 0.0; };
  char line[512];
  out << "trace              " << path << "\n";
  std::snprintf(line, sizeof line,
                "requests           %llu\n"
                "unique keys        %llu\n"
                "one-hit wonders    %llu (%.1f%% of keys)\n"
                "working set        %llu bytes (each key at its first size)\n"
                "requested bytes    %llu (mean %.1f per request)\n"
                "time span          %.3f s\n"
                "ops                read %llu (%.1f%%), write %llu (%.1f%%), delete %llu (%.1f%%)\n",
                (unsigned long long)info.requests, (unsigned long long)info.unique_keys,
                (unsigned long long)info.one_hit_wonders,
                info.unique_keys ? 100.0 * double(info.one_hit_wonders) / double(info.unique_keys) : 0.0,
                (unsigned long long)info.working_set_bytes, (unsigned long long)info.request_bytes,
                info.requests ? double(info.request_bytes) / double(info.requests) : 0.0,
                double(info.last_time_ms - info.first_time_ms) / 1000.0, (unsigned long long)info.reads, pct(info.reads),
                (unsigned long long)info.writes, pct(info.writes), (unsigned long long)info.deletes, pct(info.deletes));
  out << line;
  std::snprintf(line, sizeof line, "ttl                none %llu (%.1f%%)", (unsigned long long)info.no_ttl, pct(info.no_ttl));
  out << line;
  // The most common TTLs, at most ten.
  std::vector<std::pair<std::uint64_t, std::int64_t>> by_count;
  for (const auto& [ttl, n] : info.ttl_ms) by_count.emplace_back(n, ttl);
  std::sort(by_count.rbegin(), by_count.rend());
  for (std::size_t i = 0; i < by_count.size() && i < 10; ++i) {
    std::snprintf(line, sizeof line, ", %gs %llu (%.1f%%)", double(by_count[i].second) / 1000.0,
                  (unsigned long long)by_count[i].first, pct(by_count[i].first));
    out << line;
  }
  if (by_count.size() > 10) out << ", ... (" << by_count.size() << " distinct)";
  out << "\n";
  if (info.tenants.size() > 1 || (info.tenants.size() == 1 && info.tenants.begin()->first != 0)) {
    std::snprintf(line, sizeof line, "tenants            %zu\n", info.tenants.size());
    out << line;
  }
}

}  // namespace cachelab::sim
