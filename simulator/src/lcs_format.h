#pragma once
// libCacheSim's lcs trace format (libCacheSim/traceReader/customizedReader/lcs.h): an 8 KiB
// header, then fixed-size little-endian records whose layout the header's version picks.
//   header: u64 start magic 0x123456789abcdef0, u64 version (1..8), 8000 bytes of statistics
//           (layout below), 21 unused u64, u64 end magic (same value).
//   v1 (24 B): u32 time (s), u64 id, u32 size, i64 next access (vtime, -1 never) = oracleGeneral
//   v2 (28 B): u32 time, u64 id, u32 size, u32 op (low 8 bits) | tenant (high 24 bits), i64 next
//   v3 (36 B): u32 time, u64 id, i64 size, u32 op | tenant, u32 ttl (s), i64 next
//   v4..v8: v3 followed by 1, 2, 4, 8, 16 u32 features (read and ignored here)
// Shared by the reader and the writer; the layout is described here, not copied.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "cachelab/sim/request.h"

namespace cachelab::sim::lcs {

inline constexpr std::uint64_t kMagic = 0x123456789abcdef0ULL;
inline constexpr std::size_t kHeaderBytes = 8192;
inline constexpr std::size_t kStatOffset = 16;       // the statistics block inside the header
inline constexpr std::size_t kEndMagicOffset = 8184;

// Byte offsets of the statistics fields used here, inside the statistics block (all i64 unless
// said otherwise; libCacheSim's lcs_trace_stat, packed).
namespace stat {
inline constexpr std::size_t kVersion = 0, kRequests = 8, kObjects = 16, kRequestBytes = 24, kObjectBytes = 32,
                             kStartTime = 40, kEndTime = 48, kReads = 56, kWrites = 64, kDeletes = 72,
                             kSmallestSize = 80, kLargestSize = 88;
inline constexpr std::size_t kTenants = 552;      // i32
inline constexpr std::size_t kTtls = 684;         // i32: distinct TTLs
inline constexpr std::size_t kSmallestTtl = 688;  // i32
inline constexpr std::size_t kLargestTtl = 692;   // i32
}  // namespace stat

// Record size of a version; 0 if libCacheSim knows no such version.
std::size_t record_bytes(std::uint64_t version) noexcept;

// libCacheSim's operation codes (enum req_op_e) <-> ours. nop and invalid read as reads.
std::optional<RequestOp> op_from_code(std::uint32_t code) noexcept;
std::uint8_t code_from_op(RequestOp op) noexcept;

}  // namespace cachelab::sim::lcs
