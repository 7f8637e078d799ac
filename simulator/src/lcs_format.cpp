#include "lcs_format.h"

namespace cachelab::sim::lcs {

std::size_t record_bytes(std::uint64_t version) noexcept {
  switch (version) {
    case 1: return 24;
    case 2: return 28;
    case 3: return 36;
    case 4: return 36 + 4 * 1;
    case 5: return 36 + 4 * 2;
    case 6: return 36 + 4 * 4;
    case 7: return 36 + 4 * 8;
    case 8: return 36 + 4 * 16;
    default: return 0;
  }
}

std::optional<RequestOp> op_from_code(std::uint32_t code) noexcept {
  switch (code) {
    case 0:   // nop
    case 1:   // get
    case 2:   // gets
    case 12:  // read
    case 15:  // invalid (libCacheSim's "no op known")
      return RequestOp::kRead;
    case 3: case 4: case 5: case 6: case 7: case 8:  // set add cas replace append prepend
    case 10: case 11:                                // incr decr
    case 13: case 14:                                // write update
      return RequestOp::kWrite;
    case 9: return RequestOp::kDelete;
    default: return std::nullopt;
  }
}

std::uint8_t code_from_op(RequestOp op) noexcept {
  switch (op) {
    case RequestOp::kRead: return 1;    // get
    case RequestOp::kWrite: return 3;   // set
    case RequestOp::kDelete: return 9;  // delete
  }
  return 1;
}

}  // namespace cachelab::sim::lcs
