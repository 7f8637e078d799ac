#pragma once
// Helpers for simulator tests: in-memory request sources and the paths of the shipped traces.
#include <span>
#include <string>
#include <vector>

#include "cachelab/sim/errors.h"
#include "cachelab/sim/replay.h"
#include "cachelab/sim/trace_reader.h"

namespace cachelab::sim::test {

// A request source over a vector (hand-written traces).
class VectorSource final : public TraceReader {
 public:
  explicit VectorSource(std::vector<Request> requests) : requests_(std::move(requests)) {}
  std::size_t read(std::span<Request> out) override {
    std::size_t n = 0;
    while (n < out.size() && next_ < requests_.size()) out[n++] = requests_[next_++];
    return n;
  }

 private:
  std::vector<Request> requests_;
  std::size_t next_ = 0;
};

// Reads of unit-size objects, one per ms, from a list of keys.
inline std::vector<Request> key_stream(const std::vector<std::uint64_t>& keys) {
  std::vector<Request> out;
  std::uint64_t t = 0;
  for (auto k : keys) out.push_back(Request{.time_ms = t++, .key = k, .size = 1});
  return out;
}

inline std::string trace_path(const char* name) { return std::string(CACHELAB_TRACES_DIR) + "/" + name; }

inline TraceSpec cloud_physics_bin() {
  TraceSpec spec;
  spec.path = trace_path("cloudPhysicsIO.oracleGeneral.bin");
  spec.format = TraceFormat::kOracleGeneral;
  return spec;
}

inline TraceSpec cloud_physics_csv() {
  TraceSpec spec;
  spec.path = trace_path("cloudPhysicsIO.csv");
  spec.format = TraceFormat::kCsv;
  spec.columns = CsvColumns{.time = 2, .key = 5, .size = 4};
  spec.header = true;
  return spec;
}

inline ReplayResult replay_trace(const TraceSpec& spec, const char* policy, Capacity capacity) {
  auto reader = open_trace(spec);
  ReplayConfig config;
  config.policy = policy;
  config.capacity = capacity;
  return replay(*reader, config);
}

}  // namespace cachelab::sim::test

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace cachelab::sim::test {

// Writes `content` to a fresh file under a per-process temporary directory; returns its path.
inline std::string temp_file(const std::string& name, const std::string& content) {
  const auto dir = std::filesystem::temp_directory_path() / ("cachelab_sim_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

inline std::vector<Request> read_all(TraceReader& reader) {
  std::vector<Request> out, batch(7);  // a small batch exercises the batch boundaries
  while (std::size_t n = reader.read(batch)) out.insert(out.end(), batch.begin(), batch.begin() + n);
  return out;
}

}  // namespace cachelab::sim::test
