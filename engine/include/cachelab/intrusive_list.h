#pragma once
// A doubly-linked list threaded through Item::prev/next. Policies are built from these so that
// they allocate nothing per item (as CacheLib's MMLru/MM2Q do with their hooks).
#include <cstddef>

#include "cachelab/item.h"

namespace cachelab {

class IntrusiveList {
 public:
  Item* head() const noexcept { return head_; }  // oldest end
  Item* tail() const noexcept { return tail_; }  // newest end
  bool empty() const noexcept { return head_ == nullptr; }
  std::size_t size() const noexcept { return size_; }

  void push_back(Item* it) noexcept {
    it->prev = tail_;
    it->next = nullptr;
    if (tail_) tail_->next = it; else head_ = it;
    tail_ = it;
    ++size_;
  }
  void push_front(Item* it) noexcept {
    it->next = head_;
    it->prev = nullptr;
    if (head_) head_->prev = it; else tail_ = it;
    head_ = it;
    ++size_;
  }
  void erase(Item* it) noexcept {
    if (it->prev) it->prev->next = it->next; else head_ = it->next;
    if (it->next) it->next->prev = it->prev; else tail_ = it->prev;
    it->prev = it->next = nullptr;
    --size_;
  }
  Item* pop_front() noexcept {
    Item* it = head_;
    if (it) erase(it);
    return it;
  }
  void move_to_back(Item* it) noexcept {
    if (it == tail_) return;
    erase(it);
    push_back(it);
  }

 private:
  Item* head_ = nullptr;
  Item* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace cachelab
