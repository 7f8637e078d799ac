#include "fill_model.h"

#include <cmath>

namespace cachelab::sim {

FillModel::FillModel(std::vector<FillPolicy> policies, std::uint64_t seed)
    // Its own stream: the workload's draws (and so its requests) do not depend on the fills.
    : policies_(std::move(policies)), rng_(seed ^ 0x5f1115eedULL) {}

std::uint64_t FillModel::start_fill(const Request& r, std::uint64_t now_ms, std::uint64_t version,
                                   std::uint32_t process, KeyState& key, FillReadOutcome& out) {
  const std::uint64_t latency = policy(r.source).latency.draw(rng_);
  out.origin_read = true;
  out.duplicate = key.in_flight > 0;
  if (key.in_flight == 0) key.lease_done_ms = now_ms + latency;
  ++key.in_flight;
  under_way_.push(Fill{.done_ms = now_ms + latency, .seq = next_seq_++, .generation = key.generation,
                       .started_ms = now_ms, .version = version, .process = process, .request = r});
  return latency;
}

void FillModel::wait_for_fill(const KeyState& key, std::uint64_t now_ms, FillReadOutcome& out) const {
  out.waited = true;
  out.wait_ms = key.lease_done_ms > now_ms ? key.lease_done_ms - now_ms : 0;
}

FillReadOutcome FillModel::read(const Request& r, std::uint64_t now_ms, bool cached, std::uint64_t version,
                                std::uint32_t process) {
  const FillPolicy& p = policy(r.source);
  KeyState& key = keys_[r.key];
  FillReadOutcome out;
  // A miss: the cache has no copy (never filled, expired past any grace, evicted, deleted).
  auto miss = [&](bool join_fill_under_way) {
    if (join_fill_under_way && key.in_flight > 0) {
      wait_for_fill(key, now_ms, out);
      return;
    }
    out.waited = true;
    out.wait_ms = start_fill(r, now_ms, version, process, key, out);
  };
  switch (p.protection) {
    case Protection::kNone:
      if (cached) out.hit = true;
      else miss(false);
      break;
    case Protection::kLease:
      if (cached) out.hit = true;
      else miss(true);
      break;
    case Protection::kServeStale: {
      if (!cached) {
        miss(true);
        break;
      }
      out.hit = true;
      const bool expired = key.has_copy && now_ms >= key.fresh_until_ms;
      if (!expired && !(key.has_copy && key.invalidated)) break;
      const std::uint64_t since = key.invalidated ? std::min(key.invalidated_ms, key.fresh_until_ms) : key.fresh_until_ms;
      out.expired_age_ms = static_cast<std::int64_t>(now_ms - std::min(now_ms, since));
      if (key.in_flight == 0) start_fill(r, now_ms, version, process, key, out);  // the refresh; served stale meanwhile
      break;
    }
    case Protection::kEarlyRefresh: {
      if (!cached) {
        miss(false);
        break;
      }
      // XFetch: refresh when now - delta beta ln(rand()) >= expiry; -ln(rand()) is an Exp(1) draw.
      const double delta = static_cast<double>(key.last_fill_ms);
      const bool early = key.has_copy && key.fresh_until_ms != kFreshForever && delta > 0 &&
                         static_cast<double>(now_ms) + delta * p.beta * -std::log1p(-rng_.uniform()) >=
                             static_cast<double>(key.fresh_until_ms);
      if (!early) {
        out.hit = true;
        break;
      }
      if (key.in_flight == 0) out.early_lead_ms = static_cast<std::int64_t>(key.fresh_until_ms - std::min(key.fresh_until_ms, now_ms));
      miss(false);
      break;
    }
  }
  return out;
}

std::optional<Fill> FillModel::pop_due(std::uint64_t now_ms) {
  if (under_way_.empty() || under_way_.top().done_ms > now_ms) return std::nullopt;
  Fill f = under_way_.top();
  under_way_.pop();
  KeyState& key = keys_[f.request.key];
  if (f.generation == key.generation && key.in_flight) --key.in_flight;
  return f;
}

void FillModel::landed(const Fill& fill, std::uint64_t fresh_until_ms) {
  KeyState& key = keys_[fill.request.key];
  key.has_copy = true;
  key.invalidated = false;
  key.fresh_until_ms = fresh_until_ms;
  key.copy_version = fill.version;
  key.last_fill_ms = fill.done_ms - fill.started_ms;
}

void FillModel::updated(std::uint64_t key_id, std::uint64_t version, std::uint64_t fresh_until_ms) {
  KeyState& key = keys_[key_id];
  key.has_copy = true;
  key.invalidated = false;
  key.fresh_until_ms = fresh_until_ms;
  key.copy_version = version;
}

void FillModel::revoke_fills(std::uint64_t key_id) {
  auto found = keys_.find(key_id);
  if (found == keys_.end() || found->second.in_flight == 0) return;
  ++found->second.generation;
  found->second.in_flight = 0;
}

bool FillModel::may_store(const Fill& fill) const {
  const Protection p = policy(fill.request.source).protection;
  if (p != Protection::kLease && p != Protection::kServeStale) return true;
  const auto found = keys_.find(fill.request.key);
  return found == keys_.end() || found->second.generation == fill.generation;
}

std::optional<std::uint64_t> FillModel::invalidate(std::uint64_t key_id, std::uint64_t now_ms) {
  auto found = keys_.find(key_id);
  if (found == keys_.end() || !found->second.has_copy) return std::nullopt;
  KeyState& key = found->second;
  if (!key.invalidated) key.invalidated_ms = now_ms;
  key.invalidated = true;
  return key.copy_version;
}

}  // namespace cachelab::sim
