#include "cachelab/protocol/meta_marks.h"

namespace cachelab::protocol {

MetaMark MetaMarks::get(std::string_view key, std::uint64_t cas) const {
  if (size_.load(std::memory_order_acquire) == 0) return {};
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(std::string(key));
  if (it == entries_.end() || it->second.cas != cas) return {};
  return it->second.mark;
}

void MetaMarks::set(std::string_view key, std::uint64_t cas, MetaMark mark) {
  std::lock_guard lock(mutex_);
  if (entries_.size() >= capacity_) entries_.clear();
  if (!mark.stale && !mark.token_sent) {
    entries_.erase(std::string(key));
  } else {
    entries_[std::string(key)] = Entry{cas, mark};
  }
  size_.store(entries_.size(), std::memory_order_release);
}

}  // namespace cachelab::protocol
