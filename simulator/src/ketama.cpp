#include "cachelab/sim/ketama.h"

#include <libhashkit-1.0/hashkit.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace cachelab::sim {
namespace {

constexpr std::uint16_t kDefaultPort = 11211;
constexpr std::uint32_t kPointsLibmemcached = 100;  // MEMCACHED_POINTS_PER_SERVER
constexpr std::uint32_t kPointsWeighted = 160;      // MEMCACHED_POINTS_PER_SERVER_KETAMA

struct Digest {
  unsigned char bytes[16];
};

Digest md5(std::string_view text) {
  Digest d;
  libhashkit_md5_signature(reinterpret_cast<const unsigned char*>(text.data()), text.size(), d.bytes);
  return d;
}

// The `slot`-th little-endian u32 of a digest (ketama takes up to four points from one md5).
std::uint32_t word(const Digest& d, unsigned slot) {
  const unsigned char* b = d.bytes + 4 * slot;
  return std::uint32_t(b[0]) | std::uint32_t(b[1]) << 8 | std::uint32_t(b[2]) << 16 | std::uint32_t(b[3]) << 24;
}

// The name a server's points are hashed from, without the "-i" suffix.
std::string point_prefix(const std::string& server) {
  const std::size_t colon = server.rfind(':');
  if (colon == std::string::npos) return server;
  unsigned port = 0;
  const char* first = server.data() + colon + 1;
  const char* last = server.data() + server.size();
  auto [end, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || end != last || port == 0 || port > 65535)
    throw std::invalid_argument("bad server '" + server + "': expected host or host:port");
  return port == kDefaultPort ? server.substr(0, colon) : server;
}

}  // namespace

std::optional<KetamaVariant> parse_ketama_variant(std::string_view name) {
  if (name == "ketama") return KetamaVariant::kLibmemcached;
  if (name == "ketama-weighted") return KetamaVariant::kWeighted;
  return std::nullopt;
}

std::string_view ketama_variant_name(KetamaVariant v) {
  return v == KetamaVariant::kWeighted ? "ketama-weighted" : "ketama";
}

KetamaRing::KetamaRing(const std::vector<std::string>& servers, KetamaVariant variant, const std::vector<bool>& live)
    : variant_(variant) {
  const bool weighted = variant == KetamaVariant::kWeighted;
  const std::uint32_t per_server = weighted ? kPointsWeighted : kPointsLibmemcached;
  const std::uint32_t per_hash = weighted ? 4 : 1;
  for (std::size_t s = 0; s < servers.size(); ++s) {
    if (!live.empty() && !live[s]) continue;
    const std::string prefix = point_prefix(servers[s]);
    for (std::uint32_t i = 0; i < per_server / per_hash; ++i) {
      const std::string name = prefix + "-" + std::to_string(i);
      if (!weighted) {
        ring_.push_back({ketama_key_point(variant, name), static_cast<std::uint32_t>(s)});
        continue;
      }
      const Digest d = md5(name);
      for (std::uint32_t slot = 0; slot < per_hash; ++slot)
        ring_.push_back({word(d, slot), static_cast<std::uint32_t>(s)});
    }
  }
  std::sort(ring_.begin(), ring_.end(), [](const Point& a, const Point& b) {
    return a.value != b.value ? a.value < b.value : a.server < b.server;
  });
}

std::uint32_t ketama_key_point(KetamaVariant variant, std::string_view key) noexcept {
  if (variant == KetamaVariant::kWeighted) return word(md5(key), 0);
  return libhashkit_one_at_a_time(key.data(), key.size());
}

std::uint32_t ketama_id_point(KetamaVariant variant, std::uint64_t id) noexcept {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, id);
  (void)ec;
  return ketama_key_point(variant, std::string_view(digits, static_cast<std::size_t>(end - digits)));
}

std::optional<std::size_t> KetamaRing::server_for(std::uint32_t point) const noexcept {
  if (ring_.empty()) return std::nullopt;
  auto it = std::lower_bound(ring_.begin(), ring_.end(), point,
                             [](const Point& p, std::uint32_t v) { return p.value < v; });
  if (it == ring_.end()) it = ring_.begin();
  return it->server;
}

}  // namespace cachelab::sim
