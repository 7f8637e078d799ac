#pragma once
// Consistent hashing as libmemcached's ketama places keys on servers, so that a simulated cluster
// splits its keys exactly as a real client (or twemproxy with md5 + ketama) would.
//
// Each server puts points on the ring from hashes of its name ("host-i" on the default port 11211,
// else "host:port-i"); a key belongs to the first server point at or after the key's own point,
// wrapping around. The two layouts of libmemcached 1.1 (Debian 12's):
//   kLibmemcached  MEMCACHED_BEHAVIOR_KETAMA: 100 points per server; names and keys hashed with the
//                  client's key hash, which that behaviour leaves at the default (Jenkins
//                  one-at-a-time).
//   kWeighted      MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED with equal weights, libketama's layout: 160
//                  points per server, four per md5 of a name; a key's point is the first 4 bytes of
//                  md5(key), little-endian (php-memcached's LIBKETAMA_COMPATIBLE, twemproxy's
//                  `distribution: ketama` with `hash: md5`).
// When servers are ejected (down), the ring is rebuilt from the live ones: their points do not
// move, so only the dead server's keys move, each to the next live point (auto-eject).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cachelab::sim {

enum class KetamaVariant { kLibmemcached, kWeighted };

std::optional<KetamaVariant> parse_ketama_variant(std::string_view name);
std::string_view ketama_variant_name(KetamaVariant v);

// The ring point of a key's text under `variant`.
std::uint32_t ketama_key_point(KetamaVariant variant, std::string_view key) noexcept;
// The point of a numeric id that has no text of its own (a synthetic key, an oracleGeneral id):
// the point of its decimal digits, as a client sending the id as its key would get.
std::uint32_t ketama_id_point(KetamaVariant variant, std::uint64_t id) noexcept;

class KetamaRing {
 public:
  // `servers` are "host" or "host:port" (port 11211 when absent), in the client's order. `live`
  // (same length, or empty for all live) leaves the dead ones off the ring.
  KetamaRing(const std::vector<std::string>& servers, KetamaVariant variant, const std::vector<bool>& live = {});

  // The ring point of a key.
  std::uint32_t key_point(std::string_view key) const noexcept { return ketama_key_point(variant_, key); }

  // The index (in `servers`) of the server that owns `point`; nullopt when no server is live.
  std::optional<std::size_t> server_for(std::uint32_t point) const noexcept;

  std::size_t points() const noexcept { return ring_.size(); }

 private:
  struct Point {
    std::uint32_t value;
    std::uint32_t server;
  };
  KetamaVariant variant_;
  std::vector<Point> ring_;  // sorted by value, then server (as libmemcached's qsort)
};

}  // namespace cachelab::sim
