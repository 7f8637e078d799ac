#include "cachelab/sim/runner.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "cachelab/sim/errors.h"
#include "cachelab/sim/mrc.h"
#include "cachelab/sim/next_access.h"
#include "cachelab/sim/workload.h"
#include "shared_trace_feed.h"

namespace cachelab::sim {

TraceSpec effective_trace_spec(const Scenario& scenario) {
  TraceSpec spec = *scenario.trace;
  // A cluster places text keys by their text, as a client would.
  const ReplayConfig config = replay_config(scenario);
  if (config.cluster.nodes() > 1) spec.key_points = config.cluster.hashing;
  return spec;
}

ReplayResult run_scenario(const Scenario& scenario, std::uint64_t timeline_ms,
                          std::function<void(std::uint64_t, std::uint64_t)> progress,
                          std::unique_ptr<TraceReader> trace) {
  ReplayConfig config = replay_config(scenario);
  config.timeline_interval_ms = timeline_ms;
  config.progress = std::move(progress);
  std::unique_ptr<TraceReader> source;
  if (scenario.trace) source = trace ? std::move(trace) : open_trace(effective_trace_spec(scenario));
  else source = std::make_unique<SyntheticWorkload>(scenario);
  try {
    // oracleGeneral and lcs traces carry each request's next access; other sources get it computed.
    const bool has_future = scenario.trace && (scenario.trace->format == TraceFormat::kOracleGeneral ||
                                               scenario.trace->format == TraceFormat::kLcs);
    if (policy_needs_future(config.policy) && !has_future) {
      if (!scenario.trace && !scenario.duration_ms && !scenario.requests)
        throw InputError("a policy that needs the future needs a finite workload");
      NextAccessAnnotator annotated(*source, scenario.requests);
      return replay(annotated, config);
    }
    return replay(*source, config);
  } catch (const InputError& e) {
    const std::string what = e.what();
    // Trace errors already name their file; the others get the scenario's.
    if (scenario.trace && what.rfind(scenario.trace->path, 0) == 0) throw;
    throw InputError(scenario.file + ": " + what);
  }
}

namespace {

// The cells of the sweep's grid, first axis slowest: for each, its (axis, value index) pairs.
std::vector<std::vector<std::pair<const SweepAxis*, std::size_t>>> sweep_cells(const std::vector<SweepAxis>& axes) {
  std::vector<std::vector<std::pair<const SweepAxis*, std::size_t>>> cells{{}};
  for (const SweepAxis& axis : axes) {
    std::vector<std::vector<std::pair<const SweepAxis*, std::size_t>>> grown;
    for (const auto& cell : cells)
      for (std::size_t v = 0; v < axis.values.size(); ++v) {
        auto next = cell;
        next.emplace_back(&axis, v);
        grown.push_back(std::move(next));
      }
    cells = std::move(grown);
  }
  return cells;
}

// A sweep over LRU capacities of a plain key stream costs one pass instead of one replay per
// capacity: every cell comes from one miss-ratio curve (Mattson stack distances), which gives the
// same counts as separate replays (tests/simulator/test_mrc.cpp checks both ways). Anything the
// curve cannot express (other policies, TTLs, writes, events, limits, a timeline) replays as usual.
bool mrc_can_answer(const std::vector<SimRun>& runs, const Scenario& base, const SimOptions& options) {
  if (runs.size() < 2 || !base.trace || options.timeline_ms) return false;
  for (const SweepAxis& axis : base.sweep)
    if (canonical_path(axis.path) != "cache.capacity") return false;
  const TraceSpec& t = *base.trace;
  const bool key_stream = t.format == TraceFormat::kOracleGeneral || (t.format == TraceFormat::kVscsi && t.all_reads) ||
                          (t.format == TraceFormat::kCsv && (t.columns.op == 0 || t.all_reads) && t.columns.ttl == 0);
  if (!key_stream) return false;
  for (const SimRun& run : runs) {
    const Scenario& s = run.scenario;
    if (s.cache.policy != "lru" || !s.cache.policy_module.empty() || !s.cache.policy_args.empty()) return false;
    if ((s.cache.ttl_ms != kTtlUnset && s.cache.ttl_ms != 0) || !s.restarts_ms.empty()) return false;
    if (s.duration_ms || s.requests || s.topology_given) return false;
    if (s.cache.capacity.count_objects != base.cache.capacity.count_objects) return false;
  }
  return true;
}

void answer_from_mrc(std::vector<SimRun>& runs, const Scenario& base) {
  std::vector<std::uint64_t> capacities;
  for (const SimRun& run : runs) capacities.push_back(run.scenario.cache.capacity.amount);
  auto trace = open_trace(*base.trace);
  const auto curve = lru_miss_ratio_curve(
      *trace, capacities,
      {.bytes = !base.cache.capacity.count_objects, .sample_rate = base.sample, .overhead = base.cache.overhead_bytes});
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const MrcPoint& p = curve[i];
    ReplayResult& r = runs[i].result;
    ReplayCounts& c = r.totals;
    c.requests = c.reads = p.requests;
    c.misses = c.origin_reads = p.misses;
    c.hits = p.requests - p.misses;
    c.read_bytes = p.read_bytes;
    c.hit_bytes = p.hit_bytes;
    r.per_source = {c};
    r.store.hits = c.hits;
    r.store.misses = c.misses;
    r.store.total_items = p.inserted;
    r.store.curr_items = p.resident_objects;
    r.store.bytes = p.resident_bytes;
    r.store.evictions = p.inserted - std::min(p.inserted, p.resident_objects);
    r.span_ms = p.span_ms;
    r.has_peak = false;  // the curve does not keep time
  }
}

}  // namespace

std::vector<SimRun> run_scenario_file(const std::string& path, const SimOptions& options, std::size_t* total_cells) {
  Scenario base = load_scenario(path, options.overrides);
  for (const std::string& w : base.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  // A path the user fixed with --set is no longer swept.
  std::erase_if(base.sweep, [&](const SweepAxis& axis) {
    for (const std::string& o : options.overrides)
      if (canonical_path(o.substr(0, o.find('='))) == canonical_path(axis.path)) return true;
    return false;
  });
  std::vector<SimRun> runs;
  for (const auto& cell : sweep_cells(base.sweep)) {
    std::vector<Override> sets;
    std::vector<std::pair<std::string, std::string>> labels;
    for (const auto& [axis, v] : cell) {
      sets.push_back({axis->path + "=" + axis->values[v], ":" + std::to_string(axis->lines[v]) + " (sweep)"});
      labels.emplace_back(axis->path, axis->values[v]);
    }
    runs.push_back(SimRun{cell.empty() ? base : load_scenario(path, options.overrides, sets), std::move(labels), {},
                          runs.size()});
  }
  if (total_cells) *total_cells = runs.size();

  // Whether one miss-ratio curve answers the cells is decided on the whole sweep, so that a
  // shard's cells get exactly the figures the whole run gives them.
  const bool from_curve = mrc_can_answer(runs, base, options);
  if (options.shard_count > 1) {
    std::erase_if(runs, [&](const SimRun& r) { return r.index % options.shard_count != options.shard_index; });
    if (runs.empty()) return runs;
  }
  if (from_curve) {
    answer_from_mrc(runs, base);
    if (options.progress) options.progress(SimProgress{runs.size(), runs.size(), runs.front().result.totals.requests, 1.0});
    return runs;
  }

  std::size_t done = 0;
  std::mutex mutex;
  std::vector<std::exception_ptr> errors(runs.size());
  auto run_cell = [&](std::size_t i, std::unique_ptr<TraceReader> trace) {
    std::function<void(std::uint64_t, std::uint64_t)> during;
    if (options.progress && runs.size() == 1) {
      const Scenario& s = runs[i].scenario;
      during = [&options, &s](std::uint64_t requests, std::uint64_t span_ms) {
        double fraction = -1;
        if (s.duration_ms) fraction = double(span_ms) / double(s.duration_ms);
        if (s.requests) fraction = std::max(fraction, double(requests) / double(s.requests));
        options.progress(SimProgress{0, 1, requests, std::min(fraction, 1.0)});
      };
    }
    try {
      runs[i].result = run_scenario(runs[i].scenario, options.timeline_ms, during, std::move(trace));
    } catch (...) {
      errors[i] = std::current_exception();
    }
    std::lock_guard lock(mutex);
    ++done;
    if (options.progress) options.progress(SimProgress{done, runs.size(), runs[i].result.totals.requests, 1.0});
  };
  const unsigned jobs = std::max(1u, std::min<unsigned>(options.jobs, static_cast<unsigned>(runs.size())));

  // Cells that read the same trace share one decode: they run together, up to `jobs` at a time,
  // each on its own thread, fed by one SharedTraceFeed. The others (synthetic workloads, a trace
  // no other cell reads) go through a pool of `jobs` threads.
  std::vector<std::vector<std::size_t>> shared_groups;
  std::vector<std::size_t> pooled;
  std::vector<std::optional<TraceSpec>> specs(runs.size());  // each cell's, computed once
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (runs[i].scenario.trace) specs[i] = effective_trace_spec(runs[i].scenario);
  if (jobs > 1) {
    std::vector<bool> grouped(runs.size(), false);
    for (std::size_t i = 0; i < runs.size(); ++i) {
      if (grouped[i] || !specs[i]) continue;
      std::vector<std::size_t> same{i};
      for (std::size_t j = i + 1; j < runs.size(); ++j)
        if (!grouped[j] && specs[j] == specs[i]) same.push_back(j);
      if (same.size() < 2) continue;
      for (std::size_t k = 0; k < same.size(); k += jobs) {
        shared_groups.emplace_back(same.begin() + static_cast<std::ptrdiff_t>(k),
                                   same.begin() + static_cast<std::ptrdiff_t>(std::min(same.size(), k + jobs)));
        for (std::size_t j : shared_groups.back()) grouped[j] = true;
      }
    }
    for (std::size_t i = 0; i < runs.size(); ++i)
      if (!grouped[i]) pooled.push_back(i);
  } else {
    for (std::size_t i = 0; i < runs.size(); ++i) pooled.push_back(i);
  }

  for (const auto& group : shared_groups) {
    std::unique_ptr<SharedTraceFeed> feed;
    try {
      feed = std::make_unique<SharedTraceFeed>(open_trace(*specs[group.front()]), group.size());
    } catch (...) {
      for (std::size_t i : group) errors[i] = std::current_exception();
      continue;
    }
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < group.size(); ++k)
      threads.emplace_back([&, k, reader = feed->reader()]() mutable { run_cell(group[k], std::move(reader)); });
    for (auto& t : threads) t.join();
  }

  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t n; (n = next++) < pooled.size();) run_cell(pooled[n], nullptr);
  };
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < std::min<std::size_t>(jobs, pooled.size()); ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  return runs;
}

}  // namespace cachelab::sim
