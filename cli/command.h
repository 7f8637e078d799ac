#pragma once
// One command, one handler file: each cmd_*.cpp registers itself here, so adding a command
// touches one file and no switch.
#include <string>
#include <vector>

namespace cachelab::cli {

// Exit codes (SPEC section 6).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct Command {
  std::string name;
  std::string summary;
  // argv[0] is the command name; returns the process exit code.
  int (*run)(int argc, char** argv);
};

bool register_command(Command command);
const std::vector<Command>& commands();

// For commands whose issue is not done yet: says so on stderr and returns kExitFailure.
int not_built_yet(const char* command, const char* issue);

}  // namespace cachelab::cli

#define CACHELAB_REGISTER_COMMAND(ident, name, summary, fn) \
  [[maybe_unused]] static const bool cachelab_command_##ident = \
      ::cachelab::cli::register_command({name, summary, fn})
