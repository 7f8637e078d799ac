#pragma once
// --help for commands with positional arguments: shows only the visible options (the positional
// ones are in the usage line), which parse_options cannot tell apart.
#include <cstring>
#include <iostream>

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

}  // namespace cachelab::cli
