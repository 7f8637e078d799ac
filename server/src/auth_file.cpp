#include "auth_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cachelab::server {

std::shared_ptr<const protocol::AuthTable> read_auth_file(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read auth file " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    *error = "cannot read auth file " + path;
    return nullptr;
  }
  std::string why;
  auto table = protocol::AuthTable::parse(text.str(), &why);
  if (!table) {
    *error = "auth file " + path + ": " + why + " (memcached's format: one user:password a line)";
    return nullptr;
  }
  if (table->size() == 0) {
    *error = "auth file " + path + " has no user:password line";
    return nullptr;
  }
  return table;
}

}  // namespace cachelab::server
