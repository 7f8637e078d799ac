// libFuzzer target: the Twitter cache-trace csv reader.
#include "fuzz_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cachelab::sim::TraceSpec spec;
  spec.format = cachelab::sim::TraceFormat::kTwitter;
  cachelab::fuzz::read_trace(spec, data, size);
  return 0;
}
