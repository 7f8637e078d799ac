#pragma once
// Shared Boost.Program_options handling: --help and usage errors the same way for every command.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <optional>

#include "command.h"

namespace cachelab::cli {

namespace po = boost::program_options;

// Parses argv against `visible` (plus `positional`). Returns an exit code to stop with (help
// printed: 0; bad usage: 2, with one line on stderr), or nullopt to go on.
inline std::optional<int> parse_options(int argc, char** argv, const char* usage,
                                        const po::options_description& visible,
                                        const po::positional_options_description& positional,
                                        po::variables_map& vm) {
  po::options_description all;
  all.add(visible);
  all.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: " << usage << "\n\n" << visible << "  -h [ --help ]  show this help\n";
      return kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "cachelab %s: %s (see --help)\n", argv[0], e.what());
    return kExitUsage;
  }
  return std::nullopt;
}

}  // namespace cachelab::cli
