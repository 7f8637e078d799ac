#pragma once
// Errors in what the user gave us (a scenario, a trace, a --set value). The message is complete and
// names the file and the place (line and field, or byte offset); the CLI prints it as one line and
// exits with 2. Anything else that goes wrong is a runtime failure (exit 1).
#include <stdexcept>
#include <string>

namespace cachelab::sim {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace cachelab::sim
