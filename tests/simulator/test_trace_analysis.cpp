// trace analyze: exact counts on hand-made traces, the fitted zipf alpha on generated traces of
// known alpha, one-hit-wonder shares by construction, sampling, and the files it writes.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cachelab/sim/key_sampler.h"
#include "cachelab/sim/rng.h"
#include "cachelab/sim/trace_analysis.h"
#include "sim_test_util.h"

using namespace cachelab::sim;
using namespace cachelab::sim::test;

namespace {

TraceAnalysis analyze(std::vector<Request> requests, TraceAnalysisOptions options = {}) {
  VectorSource source(std::move(requests));
  return analyze_trace(source, options);
}

std::vector<Request> zipf_requests(double alpha, std::uint64_t keys, std::uint64_t n) {
  Popularity p;
  p.kind = Popularity::Kind::kZipf;
  p.zipf_a = alpha;
  auto sampler = make_key_sampler(p, keys);
  Rng rng(7);
  std::vector<Request> out(n);
  for (std::uint64_t i = 0; i < n; ++i) out[i] = Request{.time_ms = i, .key = sampler->sample(rng) + 1, .size = 100};
  return out;
}

}  // namespace

TEST_CASE("trace analyze: counts, reuse, windows and sizes of a hand-made trace", "[sim][analyze]") {
  std::vector<Request> r = key_stream({1, 2, 1, 3, 1, 2});
  r[3].op = RequestOp::kWrite, r[3].size = 1000, r[3].ttl_ms = 60000;
  r[5].time_ms = 5000;
  TraceAnalysisOptions options;
  options.window_requests = 4;
  const TraceAnalysis a = analyze(r, options);
  CHECK(a.requests == 6);
  CHECK(a.reads == 5);
  CHECK(a.writes == 1);
  CHECK(a.objects == 3);
  CHECK(a.one_hit_wonders == 1);
  CHECK(a.request_bytes == 1005);
  CHECK(a.object_bytes == 1002);
  CHECK(a.frequencies == std::vector<std::uint64_t>{3, 2, 1});
  // key 1 at 0, 2, 4 (1 request in between, twice); key 2 at 1 and 5 (3 in between).
  CHECK(a.reuse_distance.counts == std::vector<std::uint64_t>{0, 2, 1});
  CHECK(a.reuse_time_s.counts == std::vector<std::uint64_t>{2, 0, 0, 1});  // 0 s, 0 s, 4.999 s
  REQUIRE(a.windows.size() == 2);
  CHECK(a.windows[0].objects == 3);
  CHECK(a.windows[0].one_hit_wonders == 2);
  CHECK(a.windows[1].requests == 2);
  CHECK(a.windows[1].one_hit_wonders == 2);
  CHECK(a.size_writes.counts.size() == 11);  // 1000 B in [512, 1023]
  CHECK(a.size_writes.counts[10] == 1);
  CHECK(a.ttl_ms.at(60000) == 1);
  CHECK(a.no_ttl == 5);
  CHECK(a.last_time_ms == 5000);
  CHECK(a.top1_share == Approx(0.5));  // the most popular object (1 of 3 rounds up to one): 3 of 6
}

TEST_CASE("trace analyze: one-hit-wonder share by construction", "[sim][analyze]") {
  std::vector<std::uint64_t> keys;
  for (int round = 0; round < 3; ++round)
    for (std::uint64_t k = 1; k <= 1000; ++k) keys.push_back(k);
  for (std::uint64_t k = 5001; k <= 5500; ++k) keys.push_back(k);
  const TraceAnalysis a = analyze(key_stream(keys));
  CHECK(a.objects == 1500);
  CHECK(a.one_hit_wonders == 500);
  CHECK(a.windows.size() == 1);
  CHECK(a.windows[0].one_hit_wonders == 500);
}

TEST_CASE("trace analyze: the fitted zipf alpha of generated traces", "[sim][analyze]") {
  for (const double alpha : {0.6, 0.9, 1.2}) {
    INFO("alpha " << alpha);
    const TraceAnalysis a = analyze(zipf_requests(alpha, 100000, 1000000));
    CHECK(a.zipf_alpha == Approx(alpha).margin(0.03));
  }
}

TEST_CASE("trace analyze: the shared trace, whole and sampled by key", "[sim][analyze][libcachesim]") {
  // libCacheSim's traceAnalyzer (aa0fc409, --common) on this file: 113872 requests, 48974
  // objects, time span 7200 s, 21049 objects accessed once, most popular 1630, 1342, 1341, 652.
  auto reader = open_trace(cloud_physics_bin());
  const TraceAnalysis a = analyze_trace(*reader, {});
  CHECK(a.requests == 113872);
  CHECK(a.objects == 48974);
  CHECK(a.one_hit_wonders == 21049);
  CHECK(a.last_time_ms - a.first_time_ms == 7200000);
  REQUIRE(a.frequencies.size() == 48974);
  CHECK(std::vector<std::uint64_t>(a.frequencies.begin(), a.frequencies.begin() + 4) ==
        std::vector<std::uint64_t>{1630, 1342, 1341, 652});
  reader = open_trace(cloud_physics_bin());
  TraceAnalysisOptions half;
  half.sample = 0.5;
  const TraceAnalysis s = analyze_trace(*reader, half);
  CHECK(double(s.objects) * 2 == Approx(48974).epsilon(0.05));
  CHECK(double(s.one_hit_wonders) / double(s.objects) == Approx(21049.0 / 48974).margin(0.02));
}

TEST_CASE("trace analyze: csv files (and plots) in the output directory", "[sim][analyze]") {
  auto reader = open_trace(cloud_physics_bin());
  const TraceAnalysis a = analyze_trace(*reader, {});
  const auto dir = std::filesystem::path(temp_file("analyze_probe", "")).parent_path() / "analyze_out";
  const auto written = write_trace_analysis(dir.string(), "cloudPhysicsIO", a);
  for (const char* name : {"summary.txt", "popularity.csv", "one_hit_wonders.csv", "reuse_distance.csv",
                           "reuse_time.csv", "sizes.csv", "ttl.csv", "rate.csv"})
    CHECK(std::filesystem::exists(dir / name));
  std::ifstream pop(dir / "popularity.csv");
  std::string header, first;
  std::getline(pop, header);
  std::getline(pop, first);
  CHECK(header == "rank,requests");
  CHECK(first == "1,1630");
  std::stringstream summary;
  summary << std::ifstream(dir / "summary.txt").rdbuf();
  CHECK_THAT(summary.str(), Catch::Contains("zipf alpha") && Catch::Contains("objects            48974"));
}
