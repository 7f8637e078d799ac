// libFuzzer target: the oracleGeneral (libCacheSim binary) trace reader.
#include "fuzz_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cachelab::sim::TraceSpec spec;
  spec.format = cachelab::sim::TraceFormat::kOracleGeneral;
  cachelab::fuzz::read_trace(spec, data, size);
  return 0;
}
