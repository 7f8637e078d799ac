// One decode for several replays (SharedTraceFeed): every reader sees the whole trace in order,
// the source is read once, memory stays at the window, a reader that stops early or an error in
// the trace holds nobody up; and a sweep over one trace gives each cell what its own run gives.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

#include "cachelab/sim/runner.h"
#include "shared_trace_feed.h"
#include "sim_test_util.h"

using namespace cachelab::sim;
using namespace cachelab::sim::test;

namespace {

// Counts what it hands out, and throws an InputError at request `fail_at` if asked.
class CountingSource final : public TraceReader {
 public:
  CountingSource(std::uint64_t n, std::uint64_t fail_at = UINT64_MAX) : n_(n), fail_at_(fail_at) {}
  std::size_t read(std::span<Request> out) override {
    std::size_t k = 0;
    while (k < out.size() && next_ < n_) {
      if (next_ == fail_at_) throw InputError("trace.bin: truncated record at byte 123");
      out[k++] = Request{.time_ms = next_, .key = next_ * 7 % 1000, .size = 1};
      ++next_;
    }
    handed_ += k;
    return k;
  }
  std::atomic<std::uint64_t> handed_{0};

 private:
  std::uint64_t n_, fail_at_, next_ = 0;
};

// Reads a reader to its end (or `limit` requests) and returns a digest of what it saw.
std::pair<std::uint64_t, std::uint64_t> drain(TraceReader& r, std::uint64_t limit = UINT64_MAX) {
  std::vector<Request> buf(1000);  // not a divisor of the chunk: reads cross chunk edges
  std::uint64_t count = 0, digest = 0;
  while (count < limit) {
    const std::size_t n = r.read(std::span<Request>(buf).first(std::min<std::uint64_t>(buf.size(), limit - count)));
    if (n == 0) break;
    for (std::size_t i = 0; i < n; ++i) {
      if (buf[i].time_ms != count + i) return {UINT64_MAX, 0};  // out of order
      digest = digest * 31 + buf[i].key;
    }
    count += n;
  }
  return {count, digest};
}

}  // namespace

TEST_CASE("shared feed: every reader sees the whole trace, decoded once", "[sim][shared_feed]") {
  constexpr std::uint64_t kRequests = 1'000'000;  // 16 chunks: more than the window
  auto source = std::make_unique<CountingSource>(kRequests);
  CountingSource& counted = *source;
  SharedTraceFeed feed(std::move(source), 3);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> seen(3);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < 3; ++i)
    threads.emplace_back([&, i, reader = feed.reader()]() mutable { seen[i] = drain(*reader); });
  for (auto& t : threads) t.join();
  CountingSource alone(kRequests);
  const auto expected = drain(alone);
  for (const auto& s : seen) CHECK(s == expected);
  CHECK(counted.handed_ == kRequests);  // read once for three
  CHECK(feed.chunks_decoded() == (kRequests + SharedTraceFeed::kChunk - 1) / SharedTraceFeed::kChunk + 1);
}

TEST_CASE("shared feed: a reader that stops early holds nobody up", "[sim][shared_feed]") {
  SharedTraceFeed feed(std::make_unique<CountingSource>(2'000'000), 3);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> seen(3);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < 3; ++i)
    threads.emplace_back([&, i, reader = feed.reader()]() mutable {
      // Reader 0 stops after 5 requests, reader 1 half way; both drop their reader at once.
      seen[i] = drain(*reader, i == 0 ? 5 : i == 1 ? 1'000'000 : UINT64_MAX);
      reader.reset();
    });
  for (auto& t : threads) t.join();
  CHECK(seen[0].first == 5);
  CHECK(seen[1].first == 1'000'000);
  CHECK(seen[2].first == 2'000'000);
}

TEST_CASE("shared feed: an error in the trace reaches every reader", "[sim][shared_feed]") {
  SharedTraceFeed feed(std::make_unique<CountingSource>(1'000'000, 300'000), 2);
  std::vector<std::string> errors(2);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < 2; ++i)
    threads.emplace_back([&, i, reader = feed.reader()]() mutable {
      try {
        drain(*reader);
      } catch (const InputError& e) {
        errors[i] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  CHECK(errors[0] == "trace.bin: truncated record at byte 123");
  CHECK(errors[1] == errors[0]);
}

TEST_CASE("shared feed: a sweep over one trace, each cell as its own run", "[sim][shared_feed]") {
  const auto path = std::filesystem::temp_directory_path() / ("cachelab-feed-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << "name: feed\ncache: {capacity: 489 objects, policy: lru}\n"
                         "trace: {path: '" << trace_path("cloudPhysicsIO.csv") << "', format: csv, header: true,\n"
                         "        columns: {time: 2, key: 5, size: 4}}\n"
                         "sweep: {policy: [lru, fifo, s3fifo, lfu, sieve], capacity: [489 objects, 4897 objects]}\n";
  SimOptions three_jobs;
  three_jobs.jobs = 3;  // waves of three cells on one decode, then a pool
  const auto runs = run_scenario_file(path.string(), three_jobs);
  std::filesystem::remove(path);
  REQUIRE(runs.size() == 10);
  for (const SimRun& run : runs) {
    INFO(run.scenario.cache.policy << " " << run.scenario.cache.capacity.amount);
    const ReplayResult alone = run_scenario(run.scenario);
    CHECK(run.result.totals.hits == alone.totals.hits);
    CHECK(run.result.totals.requests == alone.totals.requests);
    CHECK(run.result.store.evictions == alone.store.evictions);
  }
  CHECK(runs[0].result.totals.hits != runs[1].result.totals.hits);
}
