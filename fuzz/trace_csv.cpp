// libFuzzer target: the csv trace reader. The first input byte picks the column layout, the
// header flag and the delimiter; the rest is the file.
#include "fuzz_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  using cachelab::sim::CsvColumns;
  static const CsvColumns kLayouts[] = {
      {.time = 1, .key = 2, .size = 3},
      {.time = 1, .key = 3, .size = 4, .op = 2, .ttl = 5},
      {.key = 1},
      {.time = 2, .key = 5, .size = 4, .op = 3},  // the cloudPhysicsIO csv
  };
  cachelab::sim::TraceSpec spec;
  spec.format = cachelab::sim::TraceFormat::kCsv;
  spec.columns = kLayouts[data[0] & 3];
  spec.header = data[0] & 4;
  spec.delimiter = (data[0] & 8) ? '\t' : ',';
  spec.time_unit_ms = (data[0] & 16) ? 1e-3 : 1000.0;
  cachelab::fuzz::read_trace(spec, data + 1, size - 1);
  return 0;
}
