// Writes a synthetic oracleGeneral trace (libCacheSim's binary format, which `cachelab sim` and
// libCacheSim's `cachesim` both read): N requests drawn from zipf(ALPHA) over OBJECTS objects.
//
//   gen_zipf_trace OUT.bin [--requests 10000000] [--objects 1000000] [--alpha 1.0] [--size 100]
//                  [--seed 42] [--rate 100000]
//
// Records are packed little-endian: u32 time (s), u64 object id, u32 size, i64 next access
// (the index of the next request to the same object, -1 = never), so belady can run on it too.
// Popularity rank and object id are decoupled by a seeded shuffle (rank 0 is not id 1), and ids
// start at 1. Time advances one second every RATE requests. Prints the number of distinct objects
// requested: "1% of the working set" in docs/BENCHMARKS.md is 1% of that number.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

struct Options {
  std::string out;
  std::uint64_t requests = 10'000'000;
  std::uint64_t objects = 1'000'000;
  double alpha = 1.0;
  std::uint32_t size = 100;
  std::uint64_t seed = 42;
  std::uint64_t rate = 100'000;
};

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: gen_zipf_trace OUT.bin [--requests N] [--objects N] [--alpha A] [--size BYTES] "
               "[--seed S] [--rate REQUESTS_PER_S]\n");
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (a == "--requests") o.requests = std::strtoull(value(), nullptr, 10);
    else if (a == "--objects") o.objects = std::strtoull(value(), nullptr, 10);
    else if (a == "--alpha") o.alpha = std::strtod(value(), nullptr);
    else if (a == "--size") o.size = static_cast<std::uint32_t>(std::strtoul(value(), nullptr, 10));
    else if (a == "--seed") o.seed = std::strtoull(value(), nullptr, 10);
    else if (a == "--rate") o.rate = std::strtoull(value(), nullptr, 10);
    else if (!a.empty() && a[0] != '-' && o.out.empty()) o.out = a;
    else usage();
  }
  if (o.out.empty() || o.objects == 0 || o.rate == 0) usage();
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);

  // Inverse-CDF sampling: cdf[k] = sum_{i<=k} (i+1)^-alpha, normalised.
  std::vector<double> cdf(o.objects);
  double sum = 0;
  for (std::uint64_t k = 0; k < o.objects; ++k) cdf[k] = sum += std::pow(static_cast<double>(k + 1), -o.alpha);
  for (double& c : cdf) c /= sum;

  std::mt19937_64 rng(o.seed);
  std::vector<std::uint64_t> id_of_rank(o.objects);
  std::iota(id_of_rank.begin(), id_of_rank.end(), std::uint64_t{1});
  std::shuffle(id_of_rank.begin(), id_of_rank.end(), rng);

  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<std::uint32_t> rank(o.requests);
  for (auto& r : rank) {
    const auto it = std::lower_bound(cdf.begin(), cdf.end(), unit(rng));
    r = static_cast<std::uint32_t>(std::min<std::ptrdiff_t>(it - cdf.begin(), static_cast<std::ptrdiff_t>(o.objects - 1)));
  }

  // Backward pass: the next request index of each object.
  std::vector<std::int64_t> next(o.requests);
  std::vector<std::int64_t> seen_at(o.objects, -1);
  std::uint64_t distinct = 0;
  for (std::uint64_t i = o.requests; i-- > 0;) {
    next[i] = seen_at[rank[i]];
    if (next[i] < 0) ++distinct;
    seen_at[rank[i]] = static_cast<std::int64_t>(i);
  }

  std::FILE* f = std::fopen(o.out.c_str(), "wb");
  if (!f) {
    std::perror(o.out.c_str());
    return 1;
  }
  std::vector<char> buf;
  buf.reserve(24 * 65536);
  for (std::uint64_t i = 0; i < o.requests; ++i) {
    char rec[24];
    const auto time = static_cast<std::uint32_t>(i / o.rate);
    const std::uint64_t id = id_of_rank[rank[i]];
    std::memcpy(rec, &time, 4);
    std::memcpy(rec + 4, &id, 8);
    std::memcpy(rec + 12, &o.size, 4);
    std::memcpy(rec + 16, &next[i], 8);
    buf.insert(buf.end(), rec, rec + 24);
    if (buf.size() >= 24 * 65536) {
      if (std::fwrite(buf.data(), 1, buf.size(), f) != buf.size()) return std::perror(o.out.c_str()), 1;
      buf.clear();
    }
  }
  if (!buf.empty() && std::fwrite(buf.data(), 1, buf.size(), f) != buf.size()) return std::perror(o.out.c_str()), 1;
  if (std::fclose(f) != 0) return std::perror(o.out.c_str()), 1;
  std::printf("%s: %llu requests, %llu distinct objects requested (of %llu), zipf(%g), %u-byte objects\n",
              o.out.c_str(), static_cast<unsigned long long>(o.requests), static_cast<unsigned long long>(distinct),
              static_cast<unsigned long long>(o.objects), o.alpha, o.size);
  return 0;
}
