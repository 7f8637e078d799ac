#pragma once
// Next-access annotation for policies that need the future (belady): reads the whole workload
// into memory and fills each request's next_access by a backward pass (the index, from 1, of the
// key's next request; UINT64_MAX = never), as oracleGeneral traces carry it. Memory: one Request
// per request (56 bytes) plus a map of the distinct keys.
#include <cstdint>
#include <memory>
#include <vector>

#include "cachelab/sim/trace_reader.h"

namespace cachelab::sim {

class NextAccessAnnotator final : public TraceReader {
 public:
  // Reads at most `max_requests` requests of `source` (0 = all).
  NextAccessAnnotator(TraceReader& source, std::uint64_t max_requests);
  std::size_t read(std::span<Request> out) override;

 private:
  std::vector<Request> requests_;
  std::size_t next_ = 0;
};

// Whether a policy needs next_access filled in (the registry's simulator-only policies do).
bool policy_needs_future(const std::string& policy);

}  // namespace cachelab::sim
