#include "cachelab/sim/next_access.h"

#include <algorithm>
#include <unordered_map>

#include "cachelab/policy_registry.h"

namespace cachelab::sim {

NextAccessAnnotator::NextAccessAnnotator(TraceReader& source, std::uint64_t max_requests) {
  std::vector<Request> batch(4096);
  while (const std::size_t n = source.read(batch)) {
    requests_.insert(requests_.end(), batch.begin(), batch.begin() + n);
    if (max_requests && requests_.size() >= max_requests) {
      requests_.resize(max_requests);
      break;
    }
  }
  std::unordered_map<std::uint64_t, std::uint64_t> later;  // key -> index (from 1) of its next request
  for (std::size_t i = requests_.size(); i-- > 0;) {
    auto [it, fresh] = later.try_emplace(requests_[i].key, UINT64_MAX);
    requests_[i].next_access = it->second;
    it->second = i + 1;
  }
}

std::size_t NextAccessAnnotator::read(std::span<Request> out) {
  const std::size_t n = std::min(out.size(), requests_.size() - next_);
  std::copy_n(requests_.begin() + static_cast<std::ptrdiff_t>(next_), n, out.begin());
  next_ += n;
  return n;
}

bool policy_needs_future(const std::string& policy) {
  const PolicyInfo* info = PolicyRegistry::instance().find(policy);
  return info && info->simulator_only;
}

}  // namespace cachelab::sim
