// libFuzzer target: the lcs, vscsi and cachelib readers, plain or through the zstd/gzip decoder
// (the first byte picks the format; the rest is the file, so a compressed input is told by its
// own magic). Requests are bounded by the decoded size: cachelib's op_count repeats a line at most
// 65535 times, and nothing else makes more than one request of fewer than 24 decoded bytes.
#include "fuzz_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  using cachelab::sim::TraceFormat;
  constexpr TraceFormat kFormats[] = {TraceFormat::kLcs, TraceFormat::kVscsi, TraceFormat::kCachelib};
  cachelab::sim::TraceSpec spec;
  spec.format = kFormats[data[0] % 3];
  spec.time_unit_ms = cachelab::sim::default_time_unit_ms(spec.format);
  cachelab::fuzz::read_trace(spec, data + 1, size - 1, /*check_count=*/false);
  return 0;
}
