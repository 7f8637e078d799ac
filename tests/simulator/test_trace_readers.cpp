// Trace readers: fields, ops and TTLs, errors with the byte offset, trace info on the real
// traces, and conversion round trips.
#include <catch2/catch.hpp>

#include "cachelab/sim/trace_tools.h"
#include "sim_test_util.h"

using namespace cachelab::sim;
using namespace cachelab::sim::test;

TEST_CASE("csv reader: columns from 1, header, op and ttl columns, string keys", "[sim][trace]") {
  TraceSpec spec;
  spec.path = temp_file("ops.csv", "ts,op,key,size,ttl\n10,get,alpha,100,0\n11.5,SET,alpha,120,30\r\n12,delete,7,1,0\n");
  spec.columns = CsvColumns{.time = 1, .key = 3, .size = 4, .op = 2, .ttl = 5};
  spec.header = true;
  auto reader = open_trace(spec);
  const auto r = read_all(*reader);
  REQUIRE(r.size() == 3);
  CHECK(r[0].time_ms == 10000);
  CHECK(r[0].key == r[1].key);
  CHECK(r[0].op == RequestOp::kRead);
  CHECK(r[0].ttl_ms == 0);
  CHECK(r[1].time_ms == 11500);
  CHECK(r[1].op == RequestOp::kWrite);
  CHECK(r[1].size == 120);
  CHECK(r[1].ttl_ms == 30000);
  CHECK(r[2].key == 7);  // numeric keys are ids
  CHECK(r[2].op == RequestOp::kDelete);
}

TEST_CASE("csv reader: a malformed line names the file, byte offset and line", "[sim][trace]") {
  TraceSpec spec;
  spec.path = temp_file("bad.csv", "1,1,10\n2,2,ten\n");
  auto reader = open_trace(spec);
  try {
    read_all(*reader);
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) == spec.path + ": byte offset 7 (line 2): bad size field 'ten'");
  }
  spec.path = temp_file("short.csv", "1,1,10\n2,2\n");
  reader = open_trace(spec);
  CHECK_THROWS_WITH(read_all(*reader), Catch::Contains("byte offset 7") && Catch::Contains("expected at least 3 fields"));
  spec.path = "/nonexistent/trace.csv";
  CHECK_THROWS_WITH(open_trace(spec), Catch::Contains("/nonexistent/trace.csv: cannot open"));
}

TEST_CASE("twitter reader: size is key + value, ops and ttl", "[sim][trace]") {
  TraceSpec spec;
  spec.format = TraceFormat::kTwitter;
  spec.path = temp_file("tw.csv", "0,key1,10,90,1,get,0\n1,key1,10,100,1,set,600\n2,key2,5,0,3,delete,0\n");
  auto reader = open_trace(spec);
  const auto r = read_all(*reader);
  REQUIRE(r.size() == 3);
  CHECK(r[0].size == 100);
  CHECK(r[1].op == RequestOp::kWrite);
  CHECK(r[1].ttl_ms == 600000);
  CHECK(r[2].op == RequestOp::kDelete);
  spec.path = temp_file("tw_bad.csv", "0,key1,10,90,1,get,0\n1,key1,10,100,1,frobnicate,0\n");
  reader = open_trace(spec);
  CHECK_THROWS_WITH(read_all(*reader), Catch::Contains("byte offset 21") && Catch::Contains("unknown operation 'frobnicate'"));
}

TEST_CASE("oracleGeneral reader: a truncated record names its byte offset", "[sim][trace]") {
  std::string bytes(24 * 2 + 10, '\0');
  bytes[4] = 1;   // record 0: key 1
  bytes[28] = 2;  // record 1: key 2
  TraceSpec spec;
  spec.format = TraceFormat::kOracleGeneral;
  spec.path = temp_file("trunc.bin", bytes);
  auto reader = open_trace(spec);
  CHECK_THROWS_WITH(read_all(*reader), spec.path + ": byte offset 48: truncated record (10 of 24 bytes)");
}

TEST_CASE("trace info on the real traces: 113,872 requests, 48,974 objects", "[sim][trace]") {
  for (const TraceSpec& spec : {cloud_physics_bin(), cloud_physics_csv()}) {
    auto reader = open_trace(spec);
    const TraceInfo info = summarize_trace(*reader);
    CHECK(info.requests == 113872);
    CHECK(info.unique_keys == 48974);
    CHECK(info.reads == 113872);
    CHECK(info.last_time_ms - info.first_time_ms == 7200000);
  }
  auto bin = open_trace(cloud_physics_bin());
  CHECK(summarize_trace(*bin).request_bytes == 4368040448ull);
  auto csv = open_trace(cloud_physics_csv());
  CHECK(summarize_trace(*csv).request_bytes == 4205978112ull);
}

TEST_CASE("convert: csv -> oracleGeneral reproduces the shipped binary's keys and next accesses", "[sim][trace]") {
  // The shipped .bin keeps each object's first size, so compare keys, times and next access.
  const std::string out = temp_file("cp.bin", "");
  {
    auto reader = open_trace(cloud_physics_csv());
    auto writer = open_trace_writer(out, TraceFormat::kOracleGeneral);
    CHECK(convert_trace(*reader, *writer) == 113872);
  }
  TraceSpec converted;
  converted.path = out;
  converted.format = TraceFormat::kOracleGeneral;
  auto a = open_trace(converted);
  auto b = open_trace(cloud_physics_bin());
  const auto ra = read_all(*a), rb = read_all(*b);
  REQUIRE(ra.size() == rb.size());
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < ra.size(); ++i)
    mismatches += ra[i].key != rb[i].key || ra[i].time_ms != rb[i].time_ms || ra[i].next_access != rb[i].next_access;
  CHECK(mismatches == 0);
}

TEST_CASE("convert: csv and twitter round trips keep every request", "[sim][trace]") {
  TraceSpec spec;
  spec.path = temp_file("rt.csv", "ts,op,key,size,ttl\n10,get,5,100,0\n11,set,5,120,30\n12,delete,7,1,0\n5633898.25,get,5,1,0\n");
  spec.columns = CsvColumns{.time = 1, .key = 3, .size = 4, .op = 2, .ttl = 5};
  spec.header = true;
  auto original = read_all(*open_trace(spec));
  for (TraceFormat to : {TraceFormat::kCsv, TraceFormat::kTwitter}) {
    const std::string out = temp_file(to == TraceFormat::kCsv ? "rt_out.csv" : "rt_out.tw", "");
    auto reader = open_trace(spec);
    auto writer = open_trace_writer(out, to);
    convert_trace(*reader, *writer);
    TraceSpec back;
    back.path = out;
    back.format = to;
    if (to == TraceFormat::kCsv) {
      back.columns = CsvColumns{.time = 1, .key = 2, .size = 3, .op = 4, .ttl = 5};
      back.header = true;
    }
    const auto again = read_all(*open_trace(back));
    REQUIRE(again.size() == original.size());
    for (std::size_t i = 0; i < again.size(); ++i) {
      CHECK(again[i].key == original[i].key);
      CHECK(again[i].size == original[i].size);
      CHECK(again[i].op == original[i].op);
      // twitter timestamps are whole seconds; csv keeps the ms
      if (to == TraceFormat::kCsv) CHECK(again[i].time_ms == original[i].time_ms);
      else CHECK(again[i].time_ms == original[i].time_ms / 1000 * 1000);
      CHECK(again[i].ttl_ms == original[i].ttl_ms);
    }
  }
}

TEST_CASE("all_reads: a trace's ops are ignored", "[sim][trace]") {
  TraceSpec spec;
  spec.format = TraceFormat::kTwitter;
  spec.path = temp_file("tw_all.csv", "0,k,1,9,1,get,0\n1,k,1,9,1,set,0\n2,k,1,9,1,delete,0\n");
  spec.all_reads = true;
  for (const Request& r : read_all(*open_trace(spec))) CHECK(r.op == RequestOp::kRead);
}

TEST_CASE("text readers: a line longer than 16 MiB is refused, not held whole", "[sim][trace]") {
  for (const TraceFormat format : {TraceFormat::kCsv, TraceFormat::kTwitter}) {
    TraceSpec spec;
    spec.format = format;
    const std::string first = format == TraceFormat::kCsv ? "1,1,10\n" : "0,key1,10,90,1,get,0\n";
    spec.path = temp_file("long_line.csv", first + std::string((16 << 20) + 1, 'k'));
    auto reader = open_trace(spec);
    CHECK_THROWS_WITH(read_all(*reader), spec.path + ": byte offset " + std::to_string(first.size()) +
                                             " (line 2): line longer than 16 MiB");
  }
}
