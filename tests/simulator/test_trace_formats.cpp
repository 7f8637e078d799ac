// libCacheSim's lcs (every version) and vscsi, CacheLib's kvcache replay csv: fields, ops, TTLs,
// tenants, header checks, and libCacheSim's own miss counts on the generated samples of
// tests/data/traces (make_format_samples.py; figures in its README.md), read compressed.
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cachelab/sim/trace_tools.h"
#include "sim_test_util.h"

using namespace cachelab::sim;
using namespace cachelab::sim::test;

namespace {

TraceSpec sample(const char* name, TraceFormat format) {
  TraceSpec spec;
  spec.path = trace_path(name);
  spec.format = format;
  spec.time_unit_ms = default_time_unit_ms(format);
  spec.all_reads = true;  // libCacheSim's cachesim replays every request as a read
  return spec;
}

// libCacheSim's cachesim on the samples' request stream (10,000 requests): misses.
struct Figure {
  const char* policy;
  std::uint64_t capacity;
  bool objects;
  std::uint64_t misses;
};
constexpr Figure kObjectFigures[] = {
    {"lru", 20, true, 8220},   {"lru", 200, true, 5019},  {"lru", 1000, true, 2131},
    {"fifo", 20, true, 8470},  {"fifo", 200, true, 5496}, {"fifo", 1000, true, 2436},
};
constexpr Figure kByteFigures[] = {
    {"lru", 100000, false, 8024},  {"lru", 1000000, false, 4670},  {"lru", 5000000, false, 1858},
    {"fifo", 100000, false, 8297}, {"fifo", 1000000, false, 5179}, {"fifo", 5000000, false, 2040},
};

// As libCacheSim's cachesim runs (built without TTL support): every request a read, no expiry
// (`all_reads: true` and `cache.ttl: 0` in a scenario).
ReplayResult replay_as_libcachesim(const TraceSpec& spec, const char* policy, Capacity capacity) {
  auto reader = open_trace(spec);
  ReplayConfig config;
  config.policy = policy;
  config.capacity = capacity;
  config.ttl_override_ms = 0;
  return replay(*reader, config);
}

void check_figures(const TraceSpec& spec, bool bytes_too) {
  auto check = [&](const Figure& f) {
    INFO(spec.path << " " << f.policy << " " << f.capacity << (f.objects ? " objects" : " bytes"));
    const ReplayResult r = replay_as_libcachesim(spec, f.policy, Capacity{.amount = f.capacity, .count_objects = f.objects});
    CHECK(r.totals.reads == 10000);
    CHECK(r.totals.misses == f.misses);
  };
  for (const Figure& f : kObjectFigures) check(f);
  if (bytes_too)
    for (const Figure& f : kByteFigures) check(f);
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// An lcs file of `version` holding `requests`, laid out by hand from the format's description
// (independent of the writer under test). Features are filled with a pattern the reader skips.
std::string lcs_file(std::uint64_t version, const std::vector<Request>& requests, std::int64_t header_count) {
  std::string out(8192, '\0');
  const std::uint64_t magic = 0x123456789abcdef0ULL;
  std::memcpy(out.data(), &magic, 8);
  std::memcpy(out.data() + 8, &version, 8);
  std::memcpy(out.data() + 16 + 8, &header_count, 8);
  std::memcpy(out.data() + 8184, &magic, 8);
  static const int kFeatures[] = {0, 0, 0, 0, 1, 2, 4, 8, 16};
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const Request& r = requests[i];
    auto put = [&](auto v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); };
    put(static_cast<std::uint32_t>(r.time_ms / 1000));
    put(r.key);
    const std::uint32_t op = r.op == RequestOp::kRead ? 1 : r.op == RequestOp::kWrite ? 3 : 9;
    const std::int64_t next = r.next_access == UINT64_MAX ? -1 : static_cast<std::int64_t>(r.next_access);
    if (version == 1) {
      put(r.size);
    } else if (version == 2) {
      put(r.size);
      put(op | r.tenant << 8);
    } else {
      put(static_cast<std::int64_t>(r.size));
      put(op | r.tenant << 8);
      put(static_cast<std::uint32_t>(r.ttl_ms / 1000));
    }
    put(next);
    const int features = version < 9 ? kFeatures[version] : 0;
    for (int f = 0; f < features; ++f) put(static_cast<std::uint32_t>(0xfeed0000u + f));
  }
  return out;
}

}  // namespace

TEST_CASE("lcs v3 sample (zstd): header, ops, TTLs, tenants", "[sim][trace][lcs]") {
  TraceSpec spec = sample("sample_v3.lcs.zst", TraceFormat::kLcs);
  spec.all_reads = false;
  auto reader = open_trace(spec);
  const auto r = read_all(*reader);
  REQUIRE(r.size() == 10000);
  // The first request as make_format_samples.py writes it: t 0 s, block 13568, 224 B, get, tenant 4.
  CHECK(r[0].key == 13568);
  CHECK(r[0].size == 224);
  CHECK(r[0].op == RequestOp::kRead);
  CHECK(r[0].ttl_ms == 0);
  CHECK(r[0].tenant == 4);
  CHECK(r[2].ttl_ms == 3600000);
  CHECK(r[9999].time_ms == 99000);
  reader = open_trace(spec);
  const TraceInfo info = summarize_trace(*reader);
  CHECK(info.reads == 8523);
  CHECK(info.writes == 992);
  CHECK(info.deletes == 485);
  CHECK(info.unique_keys == 1621);
  CHECK(info.request_bytes == 43298670);
  CHECK(info.tenants.size() == 5);
  CHECK(info.ttl_ms.at(60000) == 2197);
  CHECK(info.no_ttl == 2011);
}

TEST_CASE("lcs v3 sample: libCacheSim's LRU and FIFO miss counts, objects and bytes", "[sim][trace][lcs][libcachesim]") {
  const TraceSpec spec = sample("sample_v3.lcs.zst", TraceFormat::kLcs);
  check_figures(spec, true);
  // belady from the next accesses the records carry: libCacheSim's Belady, 200 objects: 0.3040.
  CHECK(replay_as_libcachesim(spec, "belady", Capacity{.amount = 200, .count_objects = true}).totals.misses == 3040);
}

TEST_CASE("lcs v1..v8: the same requests from every record layout", "[sim][trace][lcs]") {
  auto reader = open_trace(sample("sample_v3.lcs.zst", TraceFormat::kLcs));
  TraceSpec v3 = sample("sample_v3.lcs.zst", TraceFormat::kLcs);
  v3.all_reads = false;
  auto plain = open_trace(v3);
  const auto requests = read_all(*plain);
  for (std::uint64_t version = 1; version <= 8; ++version) {
    INFO("lcs v" << version);
    TraceSpec spec = sample("", TraceFormat::kLcs);
    spec.all_reads = false;
    spec.path = temp_file("v" + std::to_string(version) + ".lcs", lcs_file(version, requests, 10000));
    auto again = open_trace(spec);
    const auto got = read_all(*again);
    REQUIRE(got.size() == requests.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      REQUIRE(got[i].key == requests[i].key);
      REQUIRE(got[i].size == requests[i].size);
      REQUIRE(got[i].time_ms == requests[i].time_ms);
      REQUIRE(got[i].next_access == requests[i].next_access);
      REQUIRE(got[i].op == (version == 1 ? RequestOp::kRead : requests[i].op));
      REQUIRE(got[i].tenant == (version == 1 ? 0 : requests[i].tenant));
      REQUIRE(got[i].ttl_ms == (version <= 2 ? kTtlUnset : requests[i].ttl_ms));
    }
    spec.all_reads = true;
    CHECK(replay_as_libcachesim(spec, "lru", Capacity{.amount = 1000, .count_objects = true}).totals.misses == 2131);
  }
}

TEST_CASE("lcs: bad headers and short files name the file and the byte offset", "[sim][trace][lcs]") {
  std::vector<Request> two(2);
  two[0].key = 1, two[1].key = 2;
  TraceSpec spec = sample("", TraceFormat::kLcs);
  std::string bytes = lcs_file(9, two, 2);
  spec.path = temp_file("v9.lcs", bytes);
  CHECK_THROWS_WITH(open_trace(spec), spec.path + ": byte offset 8: unknown lcs version 9 (1 to 8 are known)");
  bytes = lcs_file(1, two, 2);
  bytes[0] = 'x';
  spec.path = temp_file("magic.lcs", bytes);
  CHECK_THROWS_WITH(open_trace(spec), spec.path + ": byte offset 0: not an lcs trace (bad start magic)");
  spec.path = temp_file("short.lcs", lcs_file(1, two, 2).substr(0, 5000));
  CHECK_THROWS_WITH(open_trace(spec), spec.path + ": byte offset 5000: truncated lcs header (5000 of 8192 bytes)");
  spec.path = temp_file("cut.lcs", lcs_file(3, two, 2).substr(0, 8192 + 36 + 10));
  CHECK_THROWS_WITH(read_all(*open_trace(spec)), spec.path + ": byte offset 8228: truncated record (10 of 36 bytes)");
  spec.path = temp_file("count.lcs", lcs_file(2, two, 3));
  CHECK_THROWS_WITH(read_all(*open_trace(spec)), Catch::Contains("the lcs header counts 3 requests, the file ends after 2"));
  bytes = lcs_file(2, two, 2);
  bytes[8192 + 28 + 16] = 77;  // second record's op code
  spec.path = temp_file("op.lcs", bytes);
  CHECK_THROWS_WITH(read_all(*open_trace(spec)), spec.path + ": byte offset 8220: unknown operation code 77");
}

TEST_CASE("vscsi v2 sample (gzip) and v1: libCacheSim's miss counts, ops from the SCSI command", "[sim][trace][vscsi][libcachesim]") {
  const TraceSpec v2 = sample("sample_v2.vscsi.gz", TraceFormat::kVscsi);
  check_figures(v2, true);
  TraceSpec with_ops = v2;
  with_ops.all_reads = false;
  auto reader = open_trace(with_ops);
  const TraceInfo info = summarize_trace(*reader);
  CHECK(info.reads == 8523);
  CHECK(info.writes == 992 + 485);  // block traces have no deletes: the sample wrote them as WRITE(10)
  CHECK(info.last_time_ms == 99990);
  // Version 1 records (as libCacheSim's cloudPhysicsIO.vscsi), written by trace convert.
  reader = open_trace(with_ops);
  TraceSpec v1 = sample("", TraceFormat::kVscsi);
  v1.path = temp_file("sample_v1.vscsi", "");
  auto writer = open_trace_writer(v1.path, TraceFormat::kVscsi);
  CHECK(convert_trace(*reader, *writer) == 10000);
  CHECK(file_bytes(v1.path).size() == 10000 * 32);
  check_figures(v1, true);
  TraceSpec junk = v1;
  junk.path = temp_file("junk.vscsi", std::string(100, 'x'));
  CHECK_THROWS_WITH(open_trace(junk), junk.path + ": byte offset 0: not a vscsi trace (the first records carry neither version 1 nor 2)");
}

TEST_CASE("cachelib sample (gzip): libCacheSim's miss counts on the same csv, size = value + key", "[sim][trace][cachelib][libcachesim]") {
  const TraceSpec spec = sample("sample.cachelib.csv.gz", TraceFormat::kCachelib);
  check_figures(spec, false);
  TraceSpec with_ops = spec;
  with_ops.all_reads = false;
  auto reader = open_trace(with_ops);
  const auto r = read_all(*reader);
  REQUIRE(r.size() == 10000);
  CHECK(r[0].key == 13568);
  CHECK(r[0].size == 224 + 16);
  CHECK(r[1].time_ms == 10);  // op_time is in ms
  CHECK(r[2].ttl_ms == 3600000);
  reader = open_trace(with_ops);
  const TraceInfo info = summarize_trace(*reader);
  CHECK(info.reads == 8523);
  CHECK(info.writes == 992);
  CHECK(info.deletes == 485);
  CHECK(info.request_bytes == 43298670 + 16 * 10000);
}

TEST_CASE("cachelib: op_count repeats, header in any order or CacheLib's default order, bad lines", "[sim][trace][cachelib]") {
  TraceSpec spec = sample("", TraceFormat::kCachelib);
  spec.all_reads = false;
  spec.path = temp_file("kv.csv", "key,op,size,op_count,key_size\nk1,GET,100,3,10\nk2,SET_LEASE,5,1,0\nk1,DELETE,0,1,10\n");
  auto r = read_all(*open_trace(spec));
  REQUIRE(r.size() == 5);
  CHECK(r[0].key == r[2].key);
  CHECK(r[2].size == 110);
  CHECK(r[3].op == RequestOp::kWrite);
  CHECK(r[4].op == RequestOp::kDelete);
  CHECK(r[0].ttl_ms == kTtlUnset);
  spec.path = temp_file("kv_default.csv", "7,GET_LEASE,100,2,10,30\n8,GET,50\n");
  r = read_all(*open_trace(spec));
  REQUIRE(r.size() == 3);
  CHECK(r[0].key == 7);
  CHECK(r[1].ttl_ms == 30000);
  CHECK(r[2].size == 50);
  spec.path = temp_file("kv_bad.csv", "op_time,key,op,size\n1000,k,GET,1\n2000,k,FETCH,1\n");
  CHECK_THROWS_WITH(read_all(*open_trace(spec)), spec.path + ": byte offset 33 (line 3): unknown operation 'FETCH' (GET, GET_LEASE, SET, SET_LEASE or DELETE)");
  spec.path = temp_file("kv_nosize.csv", "op_time,key,op\n1,k,GET\n");
  CHECK_THROWS_WITH(open_trace(spec), Catch::Contains("the header names no key, op or size column"));
}

TEST_CASE("trace convert between every format keeps the key stream", "[sim][trace][convert]") {
  const TraceFormat formats[] = {TraceFormat::kCsv, TraceFormat::kOracleGeneral, TraceFormat::kLcs,
                                 TraceFormat::kVscsi, TraceFormat::kTwitter, TraceFormat::kCachelib};
  for (const TraceFormat to : formats) {
    INFO("to " << trace_format_name(to));
    TraceSpec in = sample("sample_v3.lcs.zst", TraceFormat::kLcs);
    in.all_reads = false;
    auto reader = open_trace(in);
    TraceSpec out = sample("", to);
    out.path = temp_file("converted." + std::string(trace_format_name(to)) + ".zst", "");
    auto writer = open_trace_writer(out.path, to);
    CHECK(convert_trace(*reader, *writer) == 10000);
    if (to == TraceFormat::kCsv) {
      out.columns = CsvColumns{.time = 1, .key = 2, .size = 3, .op = 4, .ttl = 5};
      out.header = true;
    }
    CHECK(replay_as_libcachesim(out, "lru", Capacity{.amount = 1000, .count_objects = true}).totals.misses == 2131);
    CHECK(replay_as_libcachesim(out, "fifo", Capacity{.amount = 1000000, .count_objects = false}).totals.misses == 5179);
    out.all_reads = false;
    auto back = open_trace(out);
    const TraceInfo info = summarize_trace(*back);
    CHECK(info.reads == (to == TraceFormat::kOracleGeneral ? 10000 : 8523));  // oracleGeneral has no ops
    if (to != TraceFormat::kOracleGeneral && to != TraceFormat::kVscsi) CHECK(info.deletes == 485);
    if (to == TraceFormat::kLcs) {  // lcs keeps tenants and TTLs
      CHECK(info.tenants.size() == 5);
      CHECK(info.no_ttl == 2011);
    }
  }
}
