// Compressed traces: a .zst or .gz file of any format reads as the plain file does (told by its
// first bytes, not its name), in frames or members cut anywhere, and a truncated or corrupt one
// stops with an InputError naming the file and the byte offset.
#include <zlib.h>
#include <zstd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "cachelab/sim/trace_tools.h"
#include "sim_test_util.h"

using namespace cachelab::sim;
using namespace cachelab::sim::test;

namespace {

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string zstd_bytes(const std::string& plain, int level = 1) {
  std::string out(ZSTD_compressBound(plain.size()), '\0');
  const std::size_t n = ZSTD_compress(out.data(), out.size(), plain.data(), plain.size(), level);
  REQUIRE(!ZSTD_isError(n));
  out.resize(n);
  return out;
}

std::string gzip_bytes(const std::string& plain) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, plain.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

void check_same_requests(const TraceSpec& plain, const TraceSpec& packed) {
  auto a = open_trace(plain);
  auto b = open_trace(packed);
  const auto x = read_all(*a);
  const auto y = read_all(*b);
  REQUIRE(x.size() == y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    REQUIRE(x[i].key == y[i].key);
    REQUIRE(x[i].time_ms == y[i].time_ms);
    REQUIRE(x[i].size == y[i].size);
    REQUIRE(x[i].next_access == y[i].next_access);
  }
}

}  // namespace

TEST_CASE("compressed traces: zstd and gzip read as the plain file, whatever the name", "[sim][trace][compressed]") {
  for (const TraceSpec& plain : {cloud_physics_bin(), cloud_physics_csv()}) {
    const std::string bytes = file_bytes(plain.path);
    TraceSpec packed = plain;
    packed.path = temp_file("cp_zstd.trace", zstd_bytes(bytes));  // no .zst in the name: told by content
    check_same_requests(plain, packed);
    packed.path = temp_file("cp.gz", gzip_bytes(bytes));
    check_same_requests(plain, packed);
    // Several frames (members) back to back, cut inside a record: one stream.
    const std::size_t cut = bytes.size() / 3 + 7;
    packed.path = temp_file("cp_frames.zst", zstd_bytes(bytes.substr(0, cut)) + zstd_bytes(bytes.substr(cut), 3));
    check_same_requests(plain, packed);
    packed.path = temp_file("cp_members.gz", gzip_bytes(bytes.substr(0, cut)) + gzip_bytes(bytes.substr(cut)));
    check_same_requests(plain, packed);
  }
}

TEST_CASE("compressed traces: the libCacheSim figures hold on a zstd oracleGeneral file", "[sim][trace][compressed][libcachesim]") {
  TraceSpec spec = cloud_physics_bin();
  spec.path = temp_file("cp_fig.bin.zst", zstd_bytes(file_bytes(spec.path)));
  CHECK(replay_trace(spec, "lru", Capacity{.amount = 489, .count_objects = true}).totals.misses == 95420);
  CHECK(replay_trace(spec, "fifo", Capacity{.amount = 4897, .count_objects = true}).totals.misses == 91716);
}

TEST_CASE("compressed traces: truncated or corrupt input names the file and the byte offset", "[sim][trace][compressed]") {
  const std::string bytes = file_bytes(cloud_physics_bin().path).substr(0, 24 * 5000);
  TraceSpec spec = cloud_physics_bin();
  const std::string zst = zstd_bytes(bytes);
  spec.path = temp_file("cut.zst", zst.substr(0, zst.size() / 2));
  CHECK_THROWS_WITH(read_all(*open_trace(spec)),
                    spec.path + ": byte offset " + std::to_string(zst.size() / 2) +
                        ": truncated zstd data (the file ends inside a compressed frame)");
  const std::string gz = gzip_bytes(bytes);
  spec.path = temp_file("cut.gz", gz.substr(0, gz.size() - 4));  // without its length trailer
  CHECK_THROWS_WITH(read_all(*open_trace(spec)), Catch::StartsWith(spec.path + ": byte offset ") &&
                                                     Catch::Contains("truncated gzip data"));
  std::string bad = gz;
  bad[bad.size() - 8] ^= 0x55;  // the CRC
  spec.path = temp_file("crc.gz", bad);
  CHECK_THROWS_WITH(read_all(*open_trace(spec)),
                    spec.path + ": byte offset " + std::to_string(gz.size() - 4) + ": corrupt gzip data (gzip: incorrect data check)");
  bad = zst;
  bad[4] = '\xff';  // the frame header descriptor
  spec.path = temp_file("bad.zst", bad);
  CHECK_THROWS_WITH(read_all(*open_trace(spec)), Catch::StartsWith(spec.path + ": byte offset ") &&
                                                     Catch::Contains("corrupt zstd data (zstd: "));
  // Only the magic: nothing decodes.
  spec.path = temp_file("magic.zst", std::string("\x28\xb5\x2f\xfd", 4));
  CHECK_THROWS_WITH(read_all(*open_trace(spec)), Catch::Contains("byte offset 4: truncated zstd data"));
  // A record cut inside the compressed data: offsets count decompressed bytes, and say so.
  spec.path = temp_file("short_record.zst", zstd_bytes(bytes.substr(0, 24 * 3 + 5)));
  CHECK_THROWS_WITH(read_all(*open_trace(spec)),
                    spec.path + ": byte offset 72 of the decompressed data: truncated record (5 of 24 bytes)");
}

TEST_CASE("compressed traces: a reader dropped mid-stream stops its decoder", "[sim][trace][compressed]") {
  TraceSpec spec = cloud_physics_bin();
  spec.path = temp_file("cp_drop.zst", zstd_bytes(file_bytes(spec.path)));
  for (int i = 0; i < 20; ++i) {
    auto reader = open_trace(spec);
    std::vector<Request> batch(1000);
    CHECK(reader->read(batch) == 1000);
  }  // each destructor joins its decoder thread while the queue is full
}

TEST_CASE("trace convert writes .zst when the name says so", "[sim][trace][compressed]") {
  auto reader = open_trace(cloud_physics_csv());
  const std::string out = temp_file("converted.csv.zst", "");
  auto writer = open_trace_writer(out, TraceFormat::kCsv);
  CHECK(convert_trace(*reader, *writer) == 113872);
  const std::string written = file_bytes(out);
  REQUIRE(written.size() > 4);
  CHECK(written.substr(0, 4) == std::string("\x28\xb5\x2f\xfd", 4));
  CHECK(written.size() < 1000000);  // the csv is 3.3 MB
  TraceSpec back;
  back.path = out;
  back.columns = CsvColumns{.time = 1, .key = 2, .size = 3, .op = 4, .ttl = 5};
  back.header = true;
  auto again = open_trace(back);
  const TraceInfo info = summarize_trace(*again);
  CHECK(info.requests == 113872);
  CHECK(info.unique_keys == 48974);
  CHECK(info.request_bytes == 4205978112ULL);
}
