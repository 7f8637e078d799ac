// libFuzzer target: the scenario loader (YAML -> validated Scenario). Every bad file must end in
// an InputError naming its place; anything else (another exception, a crash, a sanitizer report)
// is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cachelab/sim/errors.h"
#include "cachelab/sim/scenario.h"
#include "fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A scenario may name a policy module, which the loader dlopen()s to check it: not something to
  // do with whatever path the fuzzer invents.
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (text.find("module") != std::string_view::npos) return 0;
  static cachelab::fuzz::InputFile file;
  const std::string& path = file.write(data, size);
  try {
    (void)cachelab::sim::load_scenario(path);
  } catch (const cachelab::sim::InputError&) {
  }
  return 0;
}
