// Scenario YAML -> Scenario, with every error naming the file, the line and the field.
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>

#include "cachelab/module_loader.h"
#include "cachelab/policy_registry.h"
#include "cachelab/sim/errors.h"
#include "cachelab/sim/ketama.h"
#include "cachelab/sim/scenario.h"

namespace cachelab::sim {

std::string canonical_path(const std::string& path) {
  if (path == "policy") return "cache.policy";
  if (path == "capacity") return "cache.capacity";
  if (path == "ttl") return "cache.ttl";
  return path;
}

namespace {

bool parse_index(const std::string& text, std::size_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& field, const std::string& what) const {
    // A value given by --set or a sweep has no line of its own in the file.
    std::string place;
    for (const auto& [node, where] : overridden_)
      if (node.is(at)) place = file_ + where;
    const YAML::Mark mark = at.Mark();
    // No line: a map that --set created, or the root of an empty file.
    if (place.empty()) place = mark.line < 0 ? file_ : file_ + ":" + std::to_string(mark.line + 1);
    throw InputError(place + ": " + field + ": " + what);
  }

  // Applies "a.b.c=value": value is YAML (so lists and maps work); sequences are indexed by
  // number or by an element's `name` (classes.products.ttl).
  void apply_override(YAML::Node root, const std::string& assignment, const std::string& where) {
    const std::size_t eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InputError(file_ + ": --set " + assignment + ": expected PATH=VALUE, e.g. cache.capacity=1GiB");
    const std::string path = canonical_path(assignment.substr(0, eq));
    YAML::Node value;
    try {
      value = YAML::Load(assignment.substr(eq + 1));
      overridden_.emplace_back(value, where);
    } catch (const YAML::Exception& e) {
      throw InputError(file_ + ": --set " + path + ": bad value: " + e.msg);
    }
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
      const std::size_t dot = path.find('.', start);
      parts.push_back(path.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    YAML::Node cur = root;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const std::string& part = parts[i];
      const bool last = i + 1 == parts.size();
      if (cur.IsSequence()) {
        std::size_t index = cur.size();
        if (!parse_index(part, &index)) {
          for (std::size_t j = 0; j < cur.size(); ++j)
            if (cur[j].IsMap() && cur[j]["name"] && cur[j]["name"].Scalar() == part) index = j;
        }
        if (index >= cur.size()) throw InputError(file_ + ": --set " + path + ": no element '" + part + "'");
        if (last) {
          cur[index] = value;
        } else {
          YAML::Node next = cur[index];
          cur.reset(next);
        }
        continue;
      }
      if (cur.IsDefined() && !cur.IsNull() && !cur.IsMap())
        throw InputError(file_ + ": --set " + path + ": '" + part + "' is inside a value that is not a map");
      if (last) {
        cur[part] = value;
      } else {
        YAML::Node next = cur[part];
        cur.reset(next);
      }
    }
  }

  Scenario load(const YAML::Node& root) {
    if (!root.IsMap()) fail(root, "(top)", "a scenario is a YAML map (name:, cache:, classes: or trace:, ...)");
    check_keys(root, "", {"name", "seed", "duration", "requests", "cache", "invalidation", "classes", "events",
                          "trace", "sweep", "plots", "description", "sample", "topology", "cluster", "clock"});
    Scenario s;
    s.file = file_;
    s.name = root["name"] ? scalar(root["name"], "name") : std::filesystem::path(file_).stem().string();
    if (root["seed"]) s.seed = u64(root["seed"], "seed");
    if (root["duration"]) s.duration_ms = duration(root["duration"], "duration");
    if (root["requests"]) s.requests = u64(root["requests"], "requests");
    if (root["sample"]) {
      s.sample = number(root["sample"], "sample");
      if (!(s.sample > 0 && s.sample <= 1)) fail(root["sample"], "sample", "expected a rate in (0, 1], e.g. 0.01");
    }
    if (root["clock"]) {
      const std::string clock = scalar(root["clock"], "clock");
      if (clock != "seconds" && clock != "exact")
        fail(root["clock"], "clock", "expected seconds (the server's whole-second expiry) or exact, got '" + clock + "'");
      s.whole_second_clock = clock == "seconds";
    }
    if (!root["cache"]) fail(root, "cache", "missing field (e.g. cache: {capacity: 64MiB, policy: lru})");
    s.cache = cache(root["cache"]);
    if (root["invalidation"]) {
      auto mode = parse_invalidation(scalar(root["invalidation"], "invalidation"));
      if (!mode) fail(root["invalidation"], "invalidation", "expected ttl-only, delete-on-write or update-on-write");
      s.invalidation = *mode;
    }
    const bool has_classes = root["classes"] && !root["classes"].IsNull();
    const bool has_trace = root["trace"] && !root["trace"].IsNull();
    if (has_classes && has_trace) fail(root["trace"], "trace", "give either classes or a trace, not both");
    if (!has_classes && !has_trace) fail(root, "classes", "missing field: a scenario needs classes: or trace:");
    if (has_classes) {
      const YAML::Node list = root["classes"];
      if (!list.IsSequence() || list.size() == 0) fail(list, "classes", "expected a non-empty list of classes");
      for (std::size_t i = 0; i < list.size(); ++i) s.classes.push_back(workload_class(list[i], i));
      if (!s.duration_ms && !s.requests)
        fail(root, "duration", "missing field: a synthetic workload needs duration: or requests:");
    } else {
      s.trace = trace(root["trace"]);
      warn_decimal_capacity_for_capture(root, s);
    }
    if (root["events"] && !root["events"].IsNull()) events(root["events"], s);
    if (root["topology"] && !root["topology"].IsNull()) {
      s.topology = topology(root["topology"], s.cache);
      s.topology_given = true;
    }
    if (root["cluster"] && !root["cluster"].IsNull()) {
      s.cluster = cluster(root["cluster"]);
      s.topology_given = true;
      if (s.topology.kind == TopologyKind::kLocal)
        fail(root["cluster"], "cluster", "topology local has no shared cache to spread over nodes");
    }
    if (root["sweep"] && !root["sweep"].IsNull()) s.sweep = sweep(root["sweep"]);
    if (root["plots"] && !root["plots"].IsNull()) s.plots = plots(root["plots"]);
    return s;
  }

 private:
  void check_keys(const YAML::Node& map, const std::string& prefix, std::initializer_list<const char*> known) const {
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      bool ok = false;
      for (const char* k : known) ok = ok || key == k;
      if (!ok) {
        std::string list;
        for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        std::string hint;
        if (!key.empty() && key.back() == ')')  // YAML split "f(a, b)" at its comma inside {...}
          hint = "; a value with a comma inside {...} must be quoted, e.g. size: \"uniform(100, 1000)\"";
        fail(kv.first, prefix + key, "unknown field (known: " + list + ")" + hint);
      }
    }
  }

  void require_map(const YAML::Node& node, const std::string& field) const {
    if (!node.IsMap()) fail(node, field, "expected a map");
  }

  std::string scalar(const YAML::Node& node, const std::string& field) const {
    if (!node.IsScalar()) fail(node, field, "expected a single value");
    return node.Scalar();
  }

  std::uint64_t u64(const YAML::Node& node, const std::string& field) const {
    const std::string text = scalar(node, field);
    std::uint64_t v;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size())
      fail(node, field, "expected a non-negative integer, got '" + text + "'");
    return v;
  }

  double number(const YAML::Node& node, const std::string& field) const {
    const std::string text = scalar(node, field);
    double v;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
      fail(node, field, "expected a number, got '" + text + "'");
    if (v < 0) fail(node, field, "must not be negative");
    return v;
  }

  bool boolean(const YAML::Node& node, const std::string& field) const {
    const std::string text = scalar(node, field);
    if (text == "true" || text == "yes" || text == "on") return true;
    if (text == "false" || text == "no" || text == "off") return false;
    fail(node, field, "expected true or false, got '" + text + "'");
  }

  std::uint64_t duration(const YAML::Node& node, const std::string& field) const {
    const std::string text = scalar(node, field);
    if (!text.empty() && text[0] == '-') fail(node, field, "must not be negative, got '" + text + "'");
    auto ms = parse_duration_ms(text);
    if (!ms) fail(node, field, "expected a duration such as 250ms, 30s, 5m, 1h or 2d, got '" + text + "'");
    return *ms;
  }

  // A TTL: a duration, or 0 / none for no expiry.
  std::int64_t ttl(const YAML::Node& node, const std::string& field) const {
    if (node.IsScalar() && (node.Scalar() == "none" || node.Scalar() == "never")) return 0;
    return static_cast<std::int64_t>(duration(node, field));
  }

  // A capture from `cachelab serve --trace-out` replays a server whose -m counts MiB (2^20); a
  // capacity edited to "64MB" (10^6) is 4.6% smaller than that server's and its hit ratio will
  // not match. Said once, on stderr; the scenario still runs as written.
  void warn_decimal_capacity_for_capture(const YAML::Node& root, Scenario& s) const {
    if (!s.trace || !s.trace->commands) return;
    const YAML::Node node = root["cache"]["capacity"];
    if (!node || !node.IsScalar()) return;
    const std::string text = node.Scalar();
    for (const char* unit : {"KB", "MB", "GB", "TB"}) {
      const std::string u(unit);
      if (text.size() > u.size() && text.compare(text.size() - u.size(), u.size(), u) == 0) {
        std::string binary = text.substr(0, text.size() - u.size()) + u.substr(0, 1) + "iB";
        s.warnings.push_back(file_ + ":" + std::to_string(node.Mark().line + 1) + ": cache.capacity " + text +
                             " is in powers of 1000, but the server's -m counts MiB (2^20 bytes): for the"
                             " server started with -m N, write " + binary + " or the bytes");
        return;
      }
    }
  }

  Capacity capacity(const YAML::Node& node, const std::string& field) const {
    const std::string text = scalar(node, field);
    const auto parsed = parse_capacity(text);
    if (!parsed) fail(node, field, "expected bytes (1048576), KiB/MiB/GiB, KB/MB/GB or 'N objects', got '" + text + "'");
    return *parsed;
  }

  CacheSpec cache(const YAML::Node& node) const {
    require_map(node, "cache");
    check_keys(node, "cache.", {"capacity", "policy", "overhead_bytes", "ttl"});
    CacheSpec c;
    if (!node["capacity"]) fail(node, "cache.capacity", "missing field (e.g. 64MiB, 1GB or '100000 objects')");
    c.capacity = capacity(node["capacity"], "cache.capacity");
    if (node["overhead_bytes"]) {
      // `server`: the bytes `cachelab serve` charges per item on top of key and value
      // (docs/ARCHITECTURE.md), so that a scenario holds what a server of that -m holds.
      if (node["overhead_bytes"].IsScalar() && node["overhead_bytes"].Scalar() == "server") c.overhead_bytes = kItemOverheadBytes;
      else c.overhead_bytes = u64(node["overhead_bytes"], "cache.overhead_bytes");
    }
    if (node["ttl"]) c.ttl_ms = ttl(node["ttl"], "cache.ttl");
    if (node["policy"]) policy(node["policy"], c);
    return c;
  }

  // `policy: NAME`, `policy: {name: NAME, args: {...}}` or `policy: {module: PATH, args: {...}}`.
  void policy(const YAML::Node& node, CacheSpec& c) const {
    YAML::Node name_node = node;
    if (node.IsMap()) {
      check_keys(node, "cache.policy.", {"name", "args", "module"});
      if (const YAML::Node args = node["args"]) {
        require_map(args, "cache.policy.args");
        for (const auto& kv : args) c.policy_args[kv.first.Scalar()] = scalar(kv.second, "cache.policy.args." + kv.first.Scalar());
      }
      if (node["module"]) {
        if (node["name"]) fail(node["name"], "cache.policy.name", "give either name or module, not both");
        module(node["module"], c);
        return;
      }
      if (!node["name"]) fail(node, "cache.policy.name", "missing field");
      name_node.reset(node["name"]);
    }
    c.policy = scalar(name_node, "cache.policy");
    if (!PolicyRegistry::instance().find(c.policy)) {
      std::string names;
      for (const PolicyInfo* p : PolicyRegistry::instance().all()) names += (names.empty() ? "" : ", ") + p->name;
      fail(name_node, "cache.policy", "unknown policy '" + c.policy + "' (known: " + names + ")");
    }
    try {  // bad policy arguments are found by building a tiny store
      make_store(c.policy, StoreConfig{.capacity = 1, .store_values = false}, c.policy_args);
    } catch (const std::invalid_argument& e) {
      fail(node, "cache.policy", e.what());
    }
  }

  // A policy module: loaded and tried once here, so that a bad one is reported at its line.
  void module(const YAML::Node& node, CacheSpec& c) const {
    std::filesystem::path path = scalar(node, "cache.policy.module");
    if (path.is_relative()) path = std::filesystem::path(file_).parent_path() / path;
    c.policy_module = path.string();
    try {
      c.policy = std::string(make_module_store(c.policy_module, StoreConfig{.capacity = 1, .store_values = false},
                                               c.policy_args)->policy_name());
    } catch (const PolicyModuleError& e) {
      fail(node, "cache.policy.module", e.what());
    } catch (const std::invalid_argument& e) {
      fail(node, "cache.policy.module", e.what());
    }
  }

  Popularity popularity(const YAML::Node& node, const std::string& field) const {
    const std::string text = scalar(node, field);
    auto p = parse_popularity(text);
    if (!p)
      fail(node, field, "expected uniform, zipf(a), hotspot(key_fraction, traffic_fraction) or sequential, got '" + text + "'");
    return *p;
  }

  WorkloadClass workload_class(const YAML::Node& node, std::size_t index) const {
    const std::string at = "classes[" + std::to_string(index) + "]";
    require_map(node, at);
    check_keys(node, at + ".", {"name", "keys", "popularity", "write_popularity", "size", "reads_per_s",
                                "writes_per_s", "ttl", "fill_latency", "protection", "grace", "beta"});
    WorkloadClass c;
    c.name = node["name"] ? scalar(node["name"], at + ".name") : "class" + std::to_string(index);
    const std::string f = "classes." + c.name + ".";
    if (!node["keys"]) fail(node, f + "keys", "missing field (the number of distinct keys)");
    c.keys = u64(node["keys"], f + "keys");
    if (c.keys == 0 || c.keys >= (1ull << 40)) fail(node["keys"], f + "keys", "must be between 1 and 2^40 - 1");
    if (node["popularity"]) c.popularity = popularity(node["popularity"], f + "popularity");
    if (node["write_popularity"]) c.write_popularity = popularity(node["write_popularity"], f + "write_popularity");
    if (node["size"]) {
      const std::string text = scalar(node["size"], f + "size");
      auto d = parse_size_distribution(text);
      if (!d) fail(node["size"], f + "size", "expected fixed(n), uniform(a,b) or lognormal(mu,sigma), got '" + text + "'");
      c.size = *d;
    }
    if (node["reads_per_s"]) c.reads_per_s = number(node["reads_per_s"], f + "reads_per_s");
    if (node["writes_per_s"]) c.writes_per_s = number(node["writes_per_s"], f + "writes_per_s");
    if (c.reads_per_s + c.writes_per_s <= 0) fail(node, f + "reads_per_s", "missing field: a class needs reads_per_s or writes_per_s above 0");
    if (node["ttl"]) c.ttl_ms = ttl(node["ttl"], f + "ttl");
    c.fills = fill_policy(node, f);
    return c;
  }

  // fill_latency, protection, grace, beta (fills.h). grace and beta may be given with any
  // protection (a sweep over protection keeps one file), and apply to theirs.
  FillPolicy fill_policy(const YAML::Node& node, const std::string& f) const {
    FillPolicy p;
    if (const YAML::Node v = node["fill_latency"]) {
      const std::string text = scalar(v, f + "fill_latency");
      const auto parsed = parse_fill_latency(text);
      if (!parsed)
        fail(v, f + "fill_latency",
             "expected fixed(50ms), lognormal(median, p99) or empirical([5ms, 20ms, ...]), got '" + text + "'");
      p.latency = *parsed;
    }
    if (const YAML::Node v = node["protection"]) {
      const auto parsed = parse_protection(scalar(v, f + "protection"));
      if (!parsed) fail(v, f + "protection", "expected none, lease, serve-stale or early-refresh, got '" + v.Scalar() + "'");
      p.protection = *parsed;
    }
    if (node["grace"]) p.grace_ms = duration(node["grace"], f + "grace");
    if (node["beta"]) {
      p.beta = number(node["beta"], f + "beta");
      if (p.beta <= 0 || p.beta > 1000) fail(node["beta"], f + "beta", "expected a number above 0 (XFetch's beta, 1 by default)");
    }
    return p;
  }

  TraceSpec trace(const YAML::Node& node) const {
    require_map(node, "trace");
    check_keys(node, "trace.",
               {"path", "format", "columns", "header", "delimiter", "time_unit", "ttl_unit", "size", "all_reads",
                "replay", "sampled"});
    TraceSpec t;
    if (!node["path"]) fail(node, "trace.path", "missing field");
    std::filesystem::path path = scalar(node["path"], "trace.path");
    if (path.is_relative()) path = std::filesystem::path(file_).parent_path() / path;
    t.path = path.string();
    if (!std::ifstream(t.path)) fail(node["path"], "trace.path", "cannot read " + t.path);
    if (!node["format"]) fail(node, "trace.format", std::string("missing field (") + trace_format_list() + ")");
    auto format = parse_trace_format(scalar(node["format"], "trace.format"));
    if (!format) fail(node["format"], "trace.format", std::string("expected ") + trace_format_list());
    t.format = *format;
    t.time_unit_ms = default_time_unit_ms(t.format);
    if (const YAML::Node cols = node["columns"]) {
      require_map(cols, "trace.columns");
      check_keys(cols, "trace.columns.", {"time", "key", "size", "op", "ttl"});
      t.columns = CsvColumns{};
      auto column = [&](const char* name, int* out) {
        if (!cols[name]) return;
        const std::uint64_t v = u64(cols[name], std::string("trace.columns.") + name);
        if (v == 0 || v > 64) fail(cols[name], std::string("trace.columns.") + name, "column numbers run from 1 to 64");
        *out = static_cast<int>(v);
      };
      column("time", &t.columns.time);
      column("key", &t.columns.key);
      column("size", &t.columns.size);
      column("op", &t.columns.op);
      column("ttl", &t.columns.ttl);
      if (!t.columns.key) fail(cols, "trace.columns.key", "missing field");
    }
    if (node["header"]) t.header = boolean(node["header"], "trace.header");
    if (node["all_reads"]) t.all_reads = boolean(node["all_reads"], "trace.all_reads");
    if (node["replay"]) {
      const std::string mode = scalar(node["replay"], "trace.replay");
      if (mode != "demand-fill" && mode != "commands")
        fail(node["replay"], "trace.replay", "expected demand-fill or commands, got '" + mode + "'");
      t.commands = mode == "commands";
      if (t.commands && t.all_reads) fail(node["replay"], "trace.replay", "commands replays sets as sets: drop all_reads");
    }
    if (node["sampled"]) {
      t.sampled = number(node["sampled"], "trace.sampled");
      if (!(t.sampled > 0 && t.sampled <= 1)) fail(node["sampled"], "trace.sampled", "expected the capture's key sample rate, in (0, 1]");
    }
    if (node["delimiter"]) {
      const std::string d = scalar(node["delimiter"], "trace.delimiter");
      if (d.size() != 1) fail(node["delimiter"], "trace.delimiter", "expected one character");
      t.delimiter = d[0];
    }
    auto unit = [&](const char* name, double* out) {
      if (!node[name]) return;
      const std::string u = scalar(node[name], std::string("trace.") + name);
      if (u == "s") *out = 1000;
      else if (u == "ms") *out = 1;
      else if (u == "us") *out = 0.001;
      else fail(node[name], std::string("trace.") + name, "expected s, ms or us");
    };
    unit("time_unit", &t.time_unit_ms);
    unit("ttl_unit", &t.ttl_unit_ms);
    if (node["size"]) {
      const std::uint64_t size = u64(node["size"], "trace.size");
      if (size == 0 || size > 2147483647) fail(node["size"], "trace.size", "must be between 1 and 2^31 - 1");
      t.default_size = static_cast<std::uint32_t>(size);
    }
    return t;
  }

  // `topology: shared|local|two-tier` or `topology: {kind: ..., processes: N, near: {...}}`.
  TopologySpec topology(const YAML::Node& node, const CacheSpec& cache) const {
    TopologySpec t;
    YAML::Node kind = node;
    if (node.IsMap()) {
      check_keys(node, "topology.", {"kind", "processes", "near"});
      if (!node["kind"]) fail(node, "topology.kind", "missing field (shared, local or two-tier)");
      kind.reset(node["kind"]);
      if (node["processes"]) {
        const std::uint64_t n = u64(node["processes"], "topology.processes");
        if (n == 0 || n > 4096) fail(node["processes"], "topology.processes", "must be between 1 and 4096");
        t.processes = static_cast<std::uint32_t>(n);
      }
    }
    const auto parsed = parse_topology_kind(scalar(kind, "topology.kind"));
    if (!parsed) fail(kind, "topology.kind", "expected shared, local or two-tier, got '" + kind.Scalar() + "'");
    t.kind = *parsed;
    if (t.kind == TopologyKind::kLocal && cache.capacity.amount / t.processes == 0)
      fail(node, "topology.processes", "cache.capacity split over the processes leaves each nothing");
    // Other kinds ignore a near: block, so that one file can sweep topology.kind.
    const bool has_near = node.IsMap() && node["near"] && !node["near"].IsNull();
    if (t.kind != TopologyKind::kTwoTier) return t;
    if (!has_near) fail(node, "topology.near", "missing field (e.g. near: {capacity: 4MiB, ttl: 10s})");
    const YAML::Node near = node["near"];
    require_map(near, "topology.near");
    check_keys(near, "topology.near.", {"capacity", "ttl", "policy"});
    if (!near["capacity"]) fail(near, "topology.near.capacity", "missing field (each process's near cache)");
    t.near_capacity = capacity(near["capacity"], "topology.near.capacity");
    if (near["ttl"]) t.near_ttl_ms = ttl(near["ttl"], "topology.near.ttl");
    if (near["policy"]) {
      t.near_policy = scalar(near["policy"], "topology.near.policy");
      if (!PolicyRegistry::instance().find(t.near_policy))
        fail(near["policy"], "topology.near.policy", "unknown policy '" + t.near_policy + "'");
    }
    return t;
  }

  // `cluster: {nodes: N | servers: [...], hashing: ketama, on_down: rehash|miss, events: [...]}`.
  ClusterSpec cluster(const YAML::Node& node) const {
    require_map(node, "cluster");
    check_keys(node, "cluster.", {"nodes", "servers", "hashing", "on_down", "events"});
    ClusterSpec c;
    if (node["nodes"] && node["servers"]) fail(node["servers"], "cluster.servers", "give either nodes or servers, not both");
    if (node["servers"]) {
      const YAML::Node list = node["servers"];
      if (!list.IsSequence() || list.size() == 0) fail(list, "cluster.servers", "expected a non-empty list of host or host:port");
      for (const auto& v : list) c.servers.push_back(scalar(v, "cluster.servers"));
      try {
        KetamaRing(c.servers, c.hashing);
      } catch (const std::invalid_argument& e) {
        fail(list, "cluster.servers", e.what());
      }
    } else {
      if (!node["nodes"]) fail(node, "cluster.nodes", "missing field (the number of memcached nodes)");
      const std::uint64_t n = u64(node["nodes"], "cluster.nodes");
      if (n == 0 || n > 1024) fail(node["nodes"], "cluster.nodes", "must be between 1 and 1024");
      // Named as a client configured with "node1", "node2"... on the default port would name them.
      for (std::uint64_t i = 1; i <= n; ++i) c.servers.push_back("node" + std::to_string(i));
    }
    if (node["hashing"]) {
      const auto v = parse_ketama_variant(scalar(node["hashing"], "cluster.hashing"));
      if (!v) fail(node["hashing"], "cluster.hashing", "expected ketama (libmemcached's) or ketama-weighted (libketama's, twemproxy's md5)");
      c.hashing = *v;
    }
    if (node["on_down"]) {
      const std::string mode = scalar(node["on_down"], "cluster.on_down");
      if (mode != "rehash" && mode != "miss") fail(node["on_down"], "cluster.on_down", "expected rehash or miss");
      c.eject_down = mode == "rehash";
    }
    if (const YAML::Node list = node["events"]; list && !list.IsNull()) {
      if (!list.IsSequence()) fail(list, "cluster.events", "expected a list of {node: N, down: TIME, up: TIME}");
      for (std::size_t i = 0; i < list.size(); ++i) {
        const YAML::Node e = list[i];
        const std::string at = "cluster.events[" + std::to_string(i) + "]";
        require_map(e, at);
        check_keys(e, at + ".", {"node", "down", "up"});
        if (!e["node"]) fail(e, at + ".node", "missing field (a node number, from 1)");
        const std::uint64_t n = u64(e["node"], at + ".node");
        if (n == 0 || n > c.servers.size())
          fail(e["node"], at + ".node", "no node " + std::to_string(n) + " (nodes are numbered 1 to " + std::to_string(c.servers.size()) + ")");
        if (!e["down"]) fail(e, at + ".down", "missing field (when the node goes down)");
        NodeOutage o{.node = n - 1, .down_ms = duration(e["down"], at + ".down")};
        if (e["up"]) {
          o.up_ms = duration(e["up"], at + ".up");
          if (o.up_ms <= o.down_ms) fail(e["up"], at + ".up", "a node comes back up after it went down");
        }
        c.outages.push_back(o);
      }
    }
    return c;
  }

  void events(const YAML::Node& list, Scenario& s) const {
    if (!list.IsSequence()) fail(list, "events", "expected a list of events");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const YAML::Node e = list[i];
      const std::string at = "events[" + std::to_string(i) + "]";
      require_map(e, at);
      check_keys(e, at + ".", {"at", "restart", "shift"});
      if (!e["at"]) fail(e, at + ".at", "missing field");
      const std::uint64_t when = duration(e["at"], at + ".at");
      const bool restart = e["restart"] && boolean(e["restart"], at + ".restart");
      if (restart) s.restarts_ms.push_back(when);
      if (const YAML::Node sh = e["shift"]) {
        ShiftEvent shift;
        shift.at_ms = when;
        if (sh.IsMap()) {
          check_keys(sh, at + ".shift.", {"class", "by"});
          if (sh["class"]) shift.class_name = scalar(sh["class"], at + ".shift.class");
          if (sh["by"]) shift.fraction = number(sh["by"], at + ".shift.by");
        } else if (sh.IsScalar() && sh.Scalar() != "true") {
          shift.fraction = number(sh, at + ".shift");
        }
        if (shift.fraction <= 0 || shift.fraction >= 1) fail(sh, at + ".shift.by", "a shift is a fraction of the key space, between 0 and 1");
        bool found = shift.class_name.empty();
        for (const WorkloadClass& c : s.classes) found = found || c.name == shift.class_name;
        if (!found) fail(sh, at + ".shift.class", "no class named '" + shift.class_name + "'");
        if (s.trace) fail(sh, at + ".shift", "a popularity shift applies to synthetic classes, not to a trace");
        s.shifts.push_back(shift);
      } else if (!restart) {
        fail(e, at, "an event needs restart: true or shift:");
      }
    }
  }

  std::vector<SweepAxis> sweep(const YAML::Node& node) const {
    require_map(node, "sweep");
    std::vector<SweepAxis> axes;
    for (const auto& kv : node) {
      SweepAxis axis{kv.first.Scalar(), {}, {}};
      const std::string field = "sweep." + axis.path;
      if (!kv.second.IsSequence() || kv.second.size() == 0) fail(kv.second, field, "expected a non-empty list of values");
      for (const auto& v : kv.second) {
        axis.values.push_back(scalar(v, field));
        axis.lines.push_back(v.Mark().line + 1);
      }
      axes.push_back(std::move(axis));
    }
    return axes;
  }

  std::vector<PlotRequest> plots(const YAML::Node& list) const {
    if (!list.IsSequence()) fail(list, "plots", "expected a list of plots");
    std::vector<PlotRequest> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const YAML::Node p = list[i];
      const std::string at = "plots[" + std::to_string(i) + "]";
      require_map(p, at);
      check_keys(p, at + ".", {"x", "y", "series", "file", "title"});
      PlotRequest r;
      for (const char* required : {"x", "y", "file"})
        if (!p[required]) fail(p, at + "." + required, "missing field");
      r.x = scalar(p["x"], at + ".x");
      if (p["y"].IsSequence()) {
        for (const auto& y : p["y"]) r.y.push_back(scalar(y, at + ".y"));
      } else {
        r.y.push_back(scalar(p["y"], at + ".y"));
      }
      if (r.y.empty()) fail(p["y"], at + ".y", "expected at least one column");
      if (p["series"]) r.series = scalar(p["series"], at + ".series");
      r.file = scalar(p["file"], at + ".file");
      const auto ext = std::filesystem::path(r.file).extension();
      if (ext != ".png" && ext != ".svg") fail(p["file"], at + ".file", "expected a .png or .svg file name");
      if (p["title"]) r.title = scalar(p["title"], at + ".title");
      out.push_back(std::move(r));
    }
    return out;
  }

  std::string file_;
  std::vector<std::pair<YAML::Node, std::string>> overridden_;
};

}  // namespace

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides,
                       const std::vector<Override>& more) {
  Loader loader(path);
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw InputError(path + ": cannot read the scenario file");
  } catch (const YAML::Exception& e) {
    throw InputError(path + ":" + std::to_string(e.mark.line + 1) + ": bad YAML: " + e.msg);
  }
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  for (const std::string& o : overrides) loader.apply_override(root, o, " (--set)");
  for (const Override& o : more) loader.apply_override(root, o.assignment, o.where);
  try {
    return loader.load(root);
  } catch (const YAML::Exception& e) {  // e.g. a value of the wrong YAML kind deep inside
    throw InputError(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

std::optional<double> uniform_ttl_s(const Scenario& s) {
  std::int64_t ttl = s.cache.ttl_ms;
  if (ttl == kTtlUnset) {
    if (s.trace) return std::nullopt;  // the trace's own ttl column (if any) decides
    ttl = s.classes.front().ttl_ms;
    for (const WorkloadClass& c : s.classes)
      if (c.ttl_ms != ttl) return std::nullopt;
  }
  if (ttl <= 0) return std::nullopt;
  return double(ttl) / 1000.0;
}

ReplayConfig replay_config(const Scenario& s) {
  ReplayConfig r;
  r.policy = s.cache.policy;
  r.policy_module = s.cache.policy_module;
  r.policy_args = s.cache.policy_args;
  r.capacity = s.cache.capacity;
  r.overhead_bytes = s.cache.overhead_bytes;
  r.invalidation = s.invalidation;
  r.ttl_override_ms = s.cache.ttl_ms;
  r.restarts_ms = s.restarts_ms;
  r.duration_ms = s.duration_ms;
  r.max_requests = s.requests;
  r.sample_rate = s.sample;
  if (s.trace) {
    r.commands = s.trace->commands;
    r.presampled = s.trace->sampled;
  }
  r.topology = s.topology;
  if (s.cluster) r.cluster = *s.cluster;
  r.seed = s.seed;
  for (const WorkloadClass& c : s.classes) r.fills.push_back(c.fills);
  r.whole_second_clock = s.whole_second_clock;
  return r;
}

}  // namespace cachelab::sim
