#pragma once
// --help for commands with positional arguments: shows only the visible options (the positional
// ones are in the usage line), which parse_options cannot tell apart.
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <iostream>
#include <optional>
#include <string>

#include "options.h"

namespace cachelab::cli {

inline bool print_help_if_asked(int argc, char** argv, const char* usage, const po::options_description& visible) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::cout << "usage: " << usage << "\n\n" << visible << "  -h [ --help ]  show this help\n";
      return true;
    }
  }
  return false;
}

struct Positional {
  const char* name;     // as the usage line shows it, e.g. "SCENARIO.yaml"
  std::string* target;  // receives the argument; a missing one is a usage error
};

// Parses a command that takes positional arguments besides its visible options: --help shows the
// visible options only, and a missing positional is one line naming it. Returns an exit code to
// stop with, or nullopt to go on.
inline std::optional<int> parse_command(int argc, char** argv, const char* usage, const po::options_description& visible,
                                        std::initializer_list<Positional> positionals, po::variables_map& vm) {
  if (print_help_if_asked(argc, argv, usage, visible)) return kExitOk;
  po::options_description all;
  all.add(visible);
  po::options_description hidden;
  po::positional_options_description order;
  int index = 0;
  for (const Positional& p : positionals) {
    const std::string key = "positional-" + std::to_string(index++);  // never typed by a user
    hidden.add_options()(key.c_str(), po::value(p.target));
    order.add(key.c_str(), 1);
  }
  all.add(hidden);
  if (auto code = parse_options(argc, argv, usage, all, order, vm)) return code;
  for (const Positional& p : positionals) {
    if (p.target->empty()) {
      std::fprintf(stderr, "cachelab %s: missing %s (see --help)\n", argv[0], p.name);
      return kExitUsage;
    }
  }
  return std::nullopt;
}

}  // namespace cachelab::cli
