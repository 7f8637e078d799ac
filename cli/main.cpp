// cachelab: one binary, one subcommand per file (cmd_*.cpp). This file only dispatches.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string_view>

#include "command.h"
#include "version.h"

namespace cachelab::cli {

std::vector<Command>& command_table() {
  static std::vector<Command> table;
  return table;
}
bool register_command(Command command) {
  command_table().push_back(std::move(command));
  return true;
}
const std::vector<Command>& commands() {
  auto& t = command_table();
  std::sort(t.begin(), t.end(), [](const Command& a, const Command& b) { return a.name < b.name; });
  return t;
}
int not_built_yet(const char* command, const char* issue) {
  std::fprintf(stderr, "cachelab %s: not built yet (see issue %s)\n", command, issue);
  return kExitFailure;
}

static void print_usage(std::FILE* out) {
  std::fprintf(out, "usage: cachelab COMMAND [options]   (cachelab COMMAND --help for its options)\n\ncommands:\n");
  for (const auto& c : commands()) std::fprintf(out, "  %-10s %s\n", c.name.c_str(), c.summary.c_str());
  std::fprintf(out, "\n  --version  print the version\n  --help     this text\n");
}

}  // namespace cachelab::cli

int main(int argc, char** argv) {
  using namespace cachelab::cli;
  if (argc < 2) {
    print_usage(stderr);
    return kExitUsage;
  }
  const std::string_view first = argv[1];
  if (first == "--version" || first == "-V") {
    std::printf("cachelab %s\n", cachelab::kVersion);
    return kExitOk;
  }
  if (first == "--help" || first == "-h" || first == "help") {
    print_usage(stdout);
    return kExitOk;
  }
  for (const auto& c : commands()) {
    if (c.name == first) {
      try {
        return c.run(argc - 1, argv + 1);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "cachelab %s: %s\n", argv[1], e.what());
        return kExitFailure;
      }
    }
  }
  std::fprintf(stderr, "cachelab: unknown command '%s'\n", argv[1]);
  print_usage(stderr);
  return kExitUsage;
}
