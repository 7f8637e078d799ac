#include "cachelab/sim/results.h"

#include <algorithm>
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

// The class's TTL in seconds when one applies to all its reads (results_by_class.csv's ttl_s).
std::optional<double> class_ttl_s(const Scenario& s, std::size_t class_index) {
  if (s.trace) return uniform_ttl_s(s);
  const std::int64_t ttl = s.cache.ttl_ms != kTtlUnset ? s.cache.ttl_ms : s.classes[class_index].ttl_ms;
  if (ttl <= 0) return std::nullopt;
  return double(ttl) / 1000.0;
}

// A results.csv row: the whole run's totals, or (class_index set) one class's reads, whose
// evictions and expirations the shared cache does not tell apart (empty cells).
std::vector<Field> fields(const SimRun& run, std::optional<std::size_t> class_index = std::nullopt) {
  const Scenario& s = run.scenario;
  const ReplayCounts& t = !class_index                                  ? run.result.totals
                          : *class_index < run.result.per_source.size() ? run.result.per_source[*class_index]
                                                                        : ReplayCounts{};
  const bool objects = s.cache.capacity.count_objects;
  std::vector<Field> f;
  if (class_index) {
    const std::string name = s.classes.empty() ? "all" : s.classes[*class_index].name;
    f.push_back({"class", csv_escape(name), name});
  }
  f.push_back({"scenario", csv_escape(s.name), s.name});
  f.push_back({"policy", csv_escape(s.cache.policy), s.cache.policy});
  f.push_back(objects ? Field{"capacity_bytes", "", nullptr} : count("capacity_bytes", s.cache.capacity.amount));
  f.push_back(objects ? count("capacity_objects", s.cache.capacity.amount) : Field{"capacity_objects", "", nullptr});
  f.push_back(maybe("ttl_s", class_index ? class_ttl_s(s, *class_index) : uniform_ttl_s(s)));
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
  if (class_index) {
    f.push_back({"evictions", "", nullptr});
    f.push_back({"expirations", "", nullptr});
  } else {
    f.push_back(count("evictions", run.result.store.evictions));
    f.push_back(count("expirations", run.result.store.expirations));
  }
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
  // Issue 19: what the database sees (SPEC section 7), after the columns above.
  f.push_back(count("duplicate_fills", t.duplicate_fills));
  f.push_back(run.result.has_peak ? count("peak_origin_reads_per_s", t.peak_origin_reads_per_s)
                                  : Field{"peak_origin_reads_per_s", "", nullptr});
  f.push_back(ratio("wait_p50_ms", t.wait_p50_ms, "%.15g"));
  f.push_back(ratio("wait_p99_ms", t.wait_p99_ms, "%.15g"));
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

std::size_t class_count(const SimRun& run) { return run.scenario.classes.empty() ? 1 : run.scenario.classes.size(); }

std::size_t rows_by_class(const SimRun& run) { return class_count(run); }

void write_results_by_class_csv(std::ostream& out, const std::vector<SimRun>& runs) {
  if (runs.empty()) return;
  const auto header = fields(runs.front(), 0);
  for (std::size_t i = 0; i < header.size(); ++i) out << (i ? "," : "") << csv_escape(header[i].name);
  out << "\n";
  for (const SimRun& run : runs)
    for (std::size_t c = 0; c < class_count(run); ++c) {
      const auto row = fields(run, c);
      for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << row[i].csv;
      out << "\n";
    }
}

namespace {

// The figures results.csv leaves out: the wait's mean and max, XFetch's early refreshes.
void add_fill_details(nlohmann::json& row, const ReplayCounts& t) {
  row["waits"] = t.waits;
  row["wait_mean_ms"] = t.waits ? t.wait_ms_sum / double(t.waits) : 0.0;
  row["wait_max_ms"] = t.wait_max_ms;
  row["early_refreshes"] = t.early_refreshes;
  row["early_refresh_mean_lead_ms"] = t.early_refreshes ? t.early_refresh_lead_ms_sum / double(t.early_refreshes) : 0.0;
}

}  // namespace

void write_results_json(std::ostream& out, const std::vector<SimRun>& runs) {
  nlohmann::json doc = nlohmann::json::array();
  for (const SimRun& run : runs) {
    nlohmann::json row = nlohmann::json::object();
    for (const Field& f : fields(run)) row[f.name] = f.json;
    add_fill_details(row, run.result.totals);
    nlohmann::json classes = nlohmann::json::array();
    for (std::size_t c = 0; c < class_count(run); ++c) {
      nlohmann::json class_row = nlohmann::json::object();
      for (const Field& f : fields(run, c)) class_row[f.name] = f.json;
      if (c < run.result.per_source.size()) add_fill_details(class_row, run.result.per_source[c]);
      classes.push_back(class_row);
    }
    row["classes"] = classes;
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
      std::snprintf(line, sizeof line, "%zu,%g,%g,%llu,%llu,%llu,%.6f,%llu,%.6f,%llu\n", runs[i].index + 1, r.start_ms / 1000.0,
                    end / 1000.0, (unsigned long long)r.counts.reads, (unsigned long long)r.counts.writes,
                    (unsigned long long)r.counts.hits, r.counts.hit_ratio(), (unsigned long long)r.counts.stale_hits,
                    r.counts.stale_ratio(), (unsigned long long)r.counts.origin_reads);
      out << line;
    }
  }
}

bool uses_fills(const std::vector<SimRun>& runs) {
  for (const SimRun& run : runs)
    for (const WorkloadClass& c : run.scenario.classes)
      if (c.fills.active()) return true;
  return false;
}

void print_results_table(std::ostream& out, const std::vector<SimRun>& runs) {
  // The scenario column is as wide as the longest name: names are never cut.
  int name_width = 16;
  for (const SimRun& run : runs) name_width = std::max(name_width, static_cast<int>(run.scenario.name.size()));
  const bool fills = uses_fills(runs);
  char line[512];
  std::snprintf(line, sizeof line, "%-*s %-12s %14s %8s %-15s %11s %9s %9s %11s %9s %11s", name_width, "scenario",
                "policy", "capacity", "ttl_s", "invalidation", "reads", "hit_ratio", "byte_hit", "stale_ratio",
                "stale_age", "origin_reads");
  out << line;
  if (fills) {
    std::snprintf(line, sizeof line, " %10s %10s %8s %8s", "dup_fills", "db_peak/s", "wait_p50", "wait_p99");
    out << line;
  }
  out << "\n";
  for (const SimRun& run : runs) {
    const ReplayCounts& t = run.result.totals;
    const auto ttl = uniform_ttl_s(run.scenario);
    char ttl_text[32] = "-";
    if (ttl) std::snprintf(ttl_text, sizeof ttl_text, "%.15g", *ttl);
    std::snprintf(line, sizeof line, "%-*s %-12s %14s %8s %-15s %11llu %9.4f %9.4f %11.4f %8.1fs %11llu", name_width,
                  run.scenario.name.c_str(), run.scenario.cache.policy.c_str(),
                  format_capacity(run.scenario.cache.capacity).c_str(), ttl_text,
                  std::string(invalidation_name(run.scenario.invalidation)).c_str(), (unsigned long long)t.reads,
                  t.hit_ratio(), t.byte_hit_ratio(), t.stale_ratio(), t.mean_stale_age_s(),
                  (unsigned long long)t.origin_reads);
    out << line;
    if (fills) {
      std::snprintf(line, sizeof line, " %10llu %10llu %6.0fms %6.0fms", (unsigned long long)t.duplicate_fills,
                    (unsigned long long)t.peak_origin_reads_per_s, t.wait_p50_ms, t.wait_p99_ms);
      out << line;
    }
    // Swept paths the columns above do not show.
    for (const auto& [path, value] : run.cell)
      if (!is_short_axis(path) && path != "invalidation") out << "  " << path << "=" << value;
    out << "\n";
  }
}

}  // namespace cachelab::sim
