#include "cachelab/sim/results.h"

#include <cstdio>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

namespace cachelab::sim {
namespace {

// One output cell: how results.csv writes it and how results.json does.
struct Field {
  std::string name;
  std::string csv;
  nlohmann::json json;
};

Field count(const char* name, std::uint64_t v) { return {name, std::to_string(v), v}; }
Field ratio(const char* name, double v, const char* format = "%.6f") {
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return {name, text, v};
}
Field maybe(const char* name, std::optional<double> v) {
  if (!v) return {name, "", nullptr};
  return ratio(name, *v, "%.15g");
}

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

bool is_short_axis(const std::string& path) {
  return path == "policy" || path == "capacity" || path == "ttl" || path == "cache.policy" ||
         path == "cache.capacity" || path == "cache.ttl";
}

std::vector<Field> fields(const SimRun& run) {
  const Scenario& s = run.scenario;
  const ReplayCounts& t = run.result.totals;
  const bool objects = s.cache.capacity.count_objects;
  std::vector<Field> f;
  f.push_back({"scenario", csv_escape(s.name), s.name});
  f.push_back({"policy", csv_escape(s.cache.policy), s.cache.policy});
  f.push_back(objects ? Field{"capacity_bytes", "", nullptr} : count("capacity_bytes", s.cache.capacity.amount));
  f.push_back(objects ? count("capacity_objects", s.cache.capacity.amount) : Field{"capacity_objects", "", nullptr});
  f.push_back(maybe("ttl_s", uniform_ttl_s(s)));
  f.push_back(count("requests", t.requests));
  f.push_back(count("reads", t.reads));
  f.push_back(count("writes", t.writes));
  f.push_back(count("hits", t.hits));
  f.push_back(count("misses", t.misses));
  f.push_back(ratio("hit_ratio", t.hit_ratio()));
  f.push_back(ratio("byte_hit_ratio", t.byte_hit_ratio()));
  f.push_back(count("stale_hits", t.stale_hits));
  f.push_back(ratio("stale_ratio", t.stale_ratio()));
  f.push_back(ratio("mean_stale_age_s", t.mean_stale_age_s(), "%.3f"));
  f.push_back(count("evictions", run.result.store.evictions));
  f.push_back(count("expirations", run.result.store.expirations));
  f.push_back(count("origin_reads", t.origin_reads));
  const std::string mode(invalidation_name(s.invalidation));
  f.push_back({"invalidation", mode, mode});
  if (s.topology_given) {
    const std::string kind(topology_kind_name(s.topology.kind));
    f.push_back({"topology", kind, kind});
    f.push_back(count("nodes", s.topology.kind == TopologyKind::kLocal ? 0 : s.cluster ? s.cluster->nodes() : 1));
    f.push_back(count("processes", s.topology.processes));
    f.push_back(count("near_hits", t.near_hits));
  }
  for (const auto& [path, value] : run.cell)
    if (!is_short_axis(path) && path != "invalidation" && path != "topology.kind" && path != "topology" &&
        path != "topology.processes") f.push_back({path, csv_escape(value), value});
  return f;
}

}  // namespace

void write_results_csv(std::ostream& out, const std::vector<SimRun>& runs) {
  if (runs.empty()) return;
  const auto header = fields(runs.front());
  for (std::size_t i = 0; i < header.size(); ++i) out << (i ? "," : "") << csv_escape(header[i].name);
  out << "\n";
  for (const SimRun& run : runs) {
    const auto row = fields(run);
    for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << row[i].csv;
    out << "\n";
  }
}

void write_results_json(std::ostream& out, const std::vector<SimRun>& runs) {
  nlohmann::json doc = nlohmann::json::array();
  for (const SimRun& run : runs) {
    nlohmann::json row = nlohmann::json::object();
    for (const Field& f : fields(run)) row[f.name] = f.json;
    row["overhead_bytes"] = run.scenario.cache.overhead_bytes;
    row["seed"] = run.scenario.seed;
    row["simulated_s"] = double(run.result.span_ms) / 1000.0;
    if (!run.cell.empty()) {
      nlohmann::json cell = nlohmann::json::object();
      for (const auto& [path, value] : run.cell) cell[path] = value;
      row["sweep_cell"] = cell;
    }
    doc.push_back(row);
  }
  out << std::setw(2) << nlohmann::json{{"runs", doc}} << "\n";
}

void write_timeline_csv(std::ostream& out, const std::vector<SimRun>& runs) {
  out << "run,start_s,end_s,reads,writes,hits,hit_ratio,stale_hits,stale_ratio,origin_reads\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const std::uint64_t interval = runs[i].result.timeline_interval_ms;
    for (const TimelineRow& r : runs[i].result.timeline) {
      const std::uint64_t end = r.start_ms + interval;
      char line[256];
      std::snprintf(line, sizeof line, "%zu,%g,%g,%llu,%llu,%llu,%.6f,%llu,%.6f,%llu\n", i + 1, r.start_ms / 1000.0,
                    end / 1000.0, (unsigned long long)r.counts.reads, (unsigned long long)r.counts.writes,
                    (unsigned long long)r.counts.hits, r.counts.hit_ratio(), (unsigned long long)r.counts.stale_hits,
                    r.counts.stale_ratio(), (unsigned long long)r.counts.origin_reads);
      out << line;
    }
  }
}

void print_results_table(std::ostream& out, const std::vector<SimRun>& runs) {
  char line[256];
  std::snprintf(line, sizeof line, "%-16s %-12s %14s %8s %-15s %11s %9s %9s %11s %9s %11s\n", "scenario", "policy",
                "capacity", "ttl_s", "invalidation", "reads", "hit_ratio", "byte_hit", "stale_ratio", "stale_age",
                "origin_reads");
  out << line;
  for (const SimRun& run : runs) {
    const ReplayCounts& t = run.result.totals;
    const auto ttl = uniform_ttl_s(run.scenario);
    char ttl_text[32] = "-";
    if (ttl) std::snprintf(ttl_text, sizeof ttl_text, "%.15g", *ttl);
    std::snprintf(line, sizeof line, "%-16s %-12s %14s %8s %-15s %11llu %9.4f %9.4f %11.4f %8.1fs %11llu",
                  run.scenario.name.substr(0, 16).c_str(), run.scenario.cache.policy.c_str(),
                  format_capacity(run.scenario.cache.capacity).c_str(), ttl_text,
                  std::string(invalidation_name(run.scenario.invalidation)).c_str(), (unsigned long long)t.reads,
                  t.hit_ratio(), t.byte_hit_ratio(), t.stale_ratio(), t.mean_stale_age_s(),
                  (unsigned long long)t.origin_reads);
    out << line;
    // Swept paths the columns above do not show.
    for (const auto& [path, value] : run.cell)
      if (!is_short_axis(path) && path != "invalidation") out << "  " << path << "=" << value;
    out << "\n";
  }
}

}  // namespace cachelab::sim
