#pragma once
// -Y FILE: reads memcached's `user:password` file into the table connections check against.
#include <memory>
#include <string>

#include "cachelab/protocol/ascii_auth.h"

namespace cachelab::server {

// Null, with one line saying why in `error` (never the file's content), when the file cannot be
// read or a line is not `user:password`.
std::shared_ptr<const protocol::AuthTable> read_auth_file(const std::string& path, std::string* error);

}  // namespace cachelab::server
