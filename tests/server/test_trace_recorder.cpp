// --trace-out's recorder: what it writes is what the simulator's csv reader reads back, key for
// key (commas, quotes and binary keys included), and its key sample keeps the share it is asked.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "cachelab/sim/trace_reader.h"
#include "cachelab/types.h"
#include "trace_recorder.h"

using namespace cachelab;
using protocol::TraceOp;

namespace {
std::string temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("cachelab_server_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}
}  // namespace

TEST_CASE("trace recorder: the csv reader reads back every record, odd keys included", "[server][trace]") {
  const std::string path = temp_path("trace.csv");
  const std::string binary_key("\x01\n\xff", 3);
  {
    server::TraceRecorder recorder({.path = path});
    recorder.record(TraceOp::kSet, "user:42", 105, 300);
    recorder.record(TraceOp::kGet, "user:42", 105, 0);
    recorder.record(TraceOp::kGet, "with,comma", 0, 0);
    recorder.record(TraceOp::kGet, "say\"hi\"", 0, 0);
    recorder.record(TraceOp::kDelete, binary_key, 0, 0);
    CHECK(recorder.recorded() == 5);
    CHECK(recorder.dropped() == 0);
  }  // destroyed: everything written
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string content = text.str();
  CHECK(content.rfind("time_ms,op,size,ttl_s,key\n", 0) == 0);
  CHECK(content.find(",set,105,300,user:42\n") != std::string::npos);
  CHECK(content.find(",get,0,0,\"with,comma\"\n") != std::string::npos);
  CHECK(content.find(",get,0,0,\"say\"\"hi\"\"\"\n") != std::string::npos);
  CHECK(content.find(",delete,0,0,base64:AQr/\n") != std::string::npos);

  sim::TraceSpec spec;
  spec.path = path;
  spec.header = true;
  spec.time_unit_ms = 1;
  spec.columns = sim::CsvColumns{.time = 1, .key = 5, .size = 3, .op = 2, .ttl = 4};
  auto reader = sim::open_trace(spec);
  std::vector<sim::Request> got(16);
  REQUIRE(reader->read(got) == 5);
  CHECK(got[0].key == hash_key("user:42"));
  CHECK(got[0].op == sim::RequestOp::kWrite);
  CHECK(got[0].size == 105);
  CHECK(got[0].ttl_ms == 300'000);
  CHECK(got[1].op == sim::RequestOp::kRead);
  CHECK(got[1].key == got[0].key);
  CHECK(got[2].key == hash_key("with,comma"));  // the quoted comma stays in the key
  CHECK(got[3].key == hash_key("say\"hi\""));
  CHECK(got[4].key == hash_key("base64:AQr/"));
  CHECK(got[4].op == sim::RequestOp::kDelete);
  CHECK(got[4].time_ms >= got[0].time_ms);
}

TEST_CASE("trace recorder: a key sample keeps about its share, the same keys every time", "[server][trace]") {
  server::TraceRecorder a({.path = temp_path("a.csv"), .sample = 0.25});
  server::TraceRecorder b({.path = temp_path("b.csv"), .sample = 0.25});
  int kept = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string key = "key:" + std::to_string(i);
    kept += a.sampled(key);
    CHECK(a.sampled(key) == b.sampled(key));
  }
  CHECK(kept > 4700);
  CHECK(kept < 5300);
  a.record(TraceOp::kGet, "anything", 0, 0);
  CHECK(a.recorded() + (a.sampled("anything") ? 0 : 1) == 1);
}

TEST_CASE("trace recorder: an unwritable path is an error at start", "[server][trace]") {
  CHECK_THROWS_WITH(server::TraceRecorder({.path = "/nonexistent-dir/trace.csv"}),
                    Catch::Contains("cannot write the trace /nonexistent-dir/trace.csv"));
}
