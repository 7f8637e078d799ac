#include "cachelab/sim/shard.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>

#include "cachelab/sim/errors.h"
#include "cachelab/sim/results.h"

namespace cachelab::sim {
namespace fs = std::filesystem;

namespace {

constexpr int kManifestVersion = 1;

// The files a part holds, and how many of its rows each cell wrote (results.csv: one).
const char* const kByClass = "results_by_class.csv";
const char* const kTimeline = "timeline.csv";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cachelab merge: cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t nl = text.find('\n', at);
    const std::size_t end = nl == std::string::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(at, end - at));
    at = end;
  }
  return lines;
}

struct Part {
  fs::path dir;
  nlohmann::json manifest;
  std::vector<std::size_t> indices;
};

// The rows of one file of one part, cut per cell: `counts[k]` rows for its k-th cell.
std::vector<std::string> cut_rows(const Part& part, const char* file, const std::vector<std::size_t>& counts,
                                  std::string* header) {
  const auto lines = lines_of(read_file(part.dir / file));
  std::size_t expected = 1;
  for (std::size_t c : counts) expected += c;
  if (lines.size() != expected)
    throw InputError("cachelab merge: " + (part.dir / file).string() + " has " + std::to_string(lines.size()) +
                     " lines, its shard.json says " + std::to_string(expected) + " (a part changed after its run?)");
  if (header->empty()) *header = lines[0];
  else if (*header != lines[0])
    throw InputError("cachelab merge: " + (part.dir / file).string() + ": its columns differ from the other parts'");
  std::vector<std::string> cells;
  std::size_t at = 1;
  for (std::size_t c : counts) {
    std::string rows;
    for (std::size_t i = 0; i < c; ++i) rows += lines[at++];
    cells.push_back(std::move(rows));
  }
  return cells;
}

}  // namespace

bool parse_shard(const std::string& text, std::size_t* index, std::size_t* count) {
  const auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) return false;
  const std::string i = text.substr(0, slash), n = text.substr(slash + 1);
  if (i.find_first_not_of("0123456789") != std::string::npos || n.find_first_not_of("0123456789") != std::string::npos)
    return false;
  if (i.size() > 9 || n.size() > 9) return false;
  *index = std::stoul(i);
  *count = std::stoul(n);
  return *count >= 1 && *index < *count;
}

void write_shard_manifest(const std::string& dir, const ShardSpec& spec, const std::vector<SimRun>& runs) {
  nlohmann::json m = nlohmann::json::object();
  m["cachelab_shard"] = kManifestVersion;
  m["scenario"] = fs::absolute(spec.scenario_path).lexically_normal().string();
  m["overrides"] = spec.overrides;
  m["timeline_ms"] = spec.timeline_ms;
  m["shard"] = spec.index;
  m["shards"] = spec.count;
  m["cells"] = spec.total_cells;
  std::vector<std::size_t> indices, by_class, timeline;
  for (const SimRun& r : runs) {
    indices.push_back(r.index);
    by_class.push_back(rows_by_class(r));
    timeline.push_back(r.result.timeline.size());
  }
  m["indices"] = indices;
  m["rows"] = {{kByClass, by_class}, {kTimeline, timeline}};
  std::ostringstream text;
  text << std::setw(2) << m << "\n";
  write_file(fs::path(dir) / kShardManifest, text.str());
}

MergeSummary merge_shards(const std::vector<std::string>& dirs, const std::string& out_dir) {
  if (dirs.empty()) throw InputError("cachelab merge: no part to merge");
  std::vector<Part> parts;
  for (const std::string& d : dirs) {
    Part p{d, {}, {}};
    const fs::path manifest = p.dir / kShardManifest;
    try {
      p.manifest = nlohmann::json::parse(read_file(manifest));
      if (p.manifest.value("cachelab_shard", 0) != kManifestVersion)
        throw InputError("cachelab merge: " + manifest.string() + " is not a cachelab shard manifest (version 1)");
      p.indices = p.manifest.at("indices").get<std::vector<std::size_t>>();
    } catch (const nlohmann::json::exception& e) {
      throw InputError("cachelab merge: " + manifest.string() + ": " + e.what());
    }
    parts.push_back(std::move(p));
  }
  // Every part must come from the same sweep, and together they hold every cell once.
  const nlohmann::json& first = parts.front().manifest;
  for (const Part& p : parts)
    for (const char* key : {"scenario", "overrides", "timeline_ms", "shards", "cells"})
      if (p.manifest.at(key) != first.at(key))
        throw InputError("cachelab merge: " + p.dir.string() + " is from another run than " + parts.front().dir.string() +
                         " (its " + key + " differ)");
  const std::size_t cells = first.at("cells").get<std::size_t>();
  std::vector<std::optional<std::size_t>> owner(cells);  // which part holds each cell
  for (std::size_t k = 0; k < parts.size(); ++k)
    for (std::size_t i : parts[k].indices) {
      if (i >= cells) throw InputError("cachelab merge: " + parts[k].dir.string() + " names cell " + std::to_string(i) +
                                       " of a " + std::to_string(cells) + "-cell sweep");
      if (owner[i]) throw InputError("cachelab merge: cell " + std::to_string(i) + " is in both " +
                                     parts[*owner[i]].dir.string() + " and " + parts[k].dir.string());
      owner[i] = k;
    }
  const std::size_t shards = first.at("shards").get<std::size_t>();
  for (std::size_t i = 0; i < cells; ++i)
    if (!owner[i])
      throw InputError("cachelab merge: cell " + std::to_string(i) + " is missing: add the part run with --shard " +
                       std::to_string(i % shards) + "/" + std::to_string(shards));
  const bool timeline = first.at("timeline_ms").get<std::uint64_t>() > 0;

  // Each file: the header once, then every cell's rows in cell order.
  std::vector<std::string> files = {"results.csv", kByClass};
  if (timeline) files.push_back(kTimeline);
  fs::create_directories(out_dir);
  for (const std::string& file : files) {
    std::string header;
    std::vector<std::string> rows(cells);
    for (const Part& p : parts) {
      if (p.indices.empty()) continue;  // a shard with no cell wrote no rows
      std::vector<std::size_t> counts(p.indices.size(), 1);
      if (file != "results.csv") counts = p.manifest.at("rows").at(file).get<std::vector<std::size_t>>();
      if (counts.size() != p.indices.size())
        throw InputError("cachelab merge: " + (p.dir / kShardManifest).string() + ": rows and indices differ in length");
      auto cut = cut_rows(p, file.c_str(), counts, &header);
      for (std::size_t k = 0; k < p.indices.size(); ++k) rows[p.indices[k]] = std::move(cut[k]);
    }
    std::string text = header;
    for (const std::string& r : rows) text += r;
    write_file(fs::path(out_dir) / file, text);
  }
  // results.json: the parts' runs, in cell order, written as the whole run writes them.
  std::vector<nlohmann::json> runs(cells);
  for (const Part& p : parts) {
    if (p.indices.empty()) continue;
    const fs::path path = p.dir / "results.json";
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(read_file(path));
    } catch (const nlohmann::json::exception& e) {
      throw InputError("cachelab merge: " + path.string() + ": " + e.what());
    }
    const auto& part_runs = doc.at("runs");
    if (part_runs.size() != p.indices.size())
      throw InputError("cachelab merge: " + path.string() + " holds " + std::to_string(part_runs.size()) +
                       " runs, its shard.json says " + std::to_string(p.indices.size()));
    for (std::size_t k = 0; k < p.indices.size(); ++k) runs[p.indices[k]] = part_runs[k];
  }
  std::ostringstream json;
  json << std::setw(2) << nlohmann::json{{"runs", runs}} << "\n";
  write_file(fs::path(out_dir) / "results.json", json.str());

  MergeSummary summary;
  summary.cells = cells;
  summary.parts = parts.size();
  summary.scenario_path = first.at("scenario").get<std::string>();
  summary.overrides = first.at("overrides").get<std::vector<std::string>>();
  summary.timeline = timeline;
  return summary;
}

}  // namespace cachelab::sim
