// A monotone priority queue (radix heap, Ahuja–Mehlhorn–Orlin–Tarjan 1990) for the native
// kernel. It relies on what a discrete-event simulator guarantees: no event is scheduled before
// the last one popped (an event injected from outside earlier than the last peeked one costs a
// rebuild). Keys are the IEEE-754 bit patterns of the (non-negative) event
// times, which order like the times. An event lives in bucket b = bit length of
// (key XOR last popped key); a pop empties the lowest non-empty bucket into lower ones, so each
// event moves a few times in sequential memory instead of sifting through a large heap with a
// cache miss per level. Events at exactly the last popped time sit in bucket 0, a small binary
// heap ordered by (owner, seq, tag), which keeps the total order exact.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <vector>

#include "sim/kernel/event_record.hpp"

namespace fleetsim {

class RadixEventQueue {
 public:
  void push(const EventRecord& e) {
    const uint64_t k = key(e.time);
    if (k < last_) rebase(k);  // only events injected from outside (HIL) can be this early
    if (k == last_) {
      buckets_[0].push_back(e);
      std::push_heap(buckets_[0].begin(), buckets_[0].end(), later_in_bucket0);
    } else {
      buckets_[size_t(64 - std::countl_zero(k ^ last_))].push_back(e);
    }
    ++size_;
  }

  // The next event; moves internal state forward (valid because no earlier event can follow).
  const EventRecord& top() {
    if (buckets_[0].empty()) refill();
    return buckets_[0].front();
  }

  EventRecord pop() {
    if (buckets_[0].empty()) refill();
    std::pop_heap(buckets_[0].begin(), buckets_[0].end(), later_in_bucket0);
    EventRecord e = buckets_[0].back();
    buckets_[0].pop_back();
    --size_;
    return e;
  }

  bool empty() const { return size_ == 0; }

  // Called with the owner of every event of a small bucket when it is split: those events come
  // next, so their owners' state can be fetched into cache ahead of time.
  using PrefetchHint = void (*)(void* context, uint32_t owner);
  void set_prefetch_hint(PrefetchHint hint, void* context) {
    hint_ = hint;
    hint_context_ = context;
  }
  size_t size() const { return size_; }

 private:
  static uint64_t key(double t) {
    uint64_t k;
    std::memcpy(&k, &t, sizeof k);
    return t > 0 ? k : 0;  // -0.0 and 0.0 alike
  }
  // Bucket 0 holds one time only: a max-heap on "later" gives the earliest (owner, seq) first.
  static bool later_in_bucket0(const EventRecord& a, const EventRecord& b) {
    if (a.owner != b.owner) return a.owner > b.owner;
    if (a.seq != b.seq) return a.seq > b.seq;
    return a.tag > b.tag;
  }

  // Moves the reference key back to k and redistributes everything: O(n), for rare injections.
  void rebase(uint64_t k) {
    std::vector<EventRecord> all;
    all.reserve(size_);
    for (auto& b : buckets_) {
      all.insert(all.end(), b.begin(), b.end());
      b.clear();
    }
    last_ = k;
    for (const EventRecord& e : all) {
      const uint64_t ek = key(e.time);
      buckets_[ek == last_ ? 0 : size_t(64 - std::countl_zero(ek ^ last_))].push_back(e);
    }
    std::make_heap(buckets_[0].begin(), buckets_[0].end(), later_in_bucket0);
  }

  void refill() {
    size_t i = 1;
    while (buckets_[i].empty()) ++i;  // the caller guarantees the queue is not empty
    std::vector<EventRecord>& from = buckets_[i];
    uint64_t min_key = key(from[0].time);
    for (const EventRecord& e : from) min_key = std::min(min_key, key(e.time));
    last_ = min_key;
    if (hint_ && from.size() <= kPrefetchBucket)
      for (const EventRecord& e : from) hint_(hint_context_, e.owner);
    for (const EventRecord& e : from) {
      const uint64_t k = key(e.time);
      buckets_[k == last_ ? 0 : size_t(64 - std::countl_zero(k ^ last_))].push_back(e);
    }
    from.clear();
    std::make_heap(buckets_[0].begin(), buckets_[0].end(), later_in_bucket0);
  }

  static constexpr size_t kPrefetchBucket = 64;
  std::array<std::vector<EventRecord>, 65> buckets_;
  PrefetchHint hint_ = nullptr;
  void* hint_context_ = nullptr;
  uint64_t last_ = 0;
  size_t size_ = 0;
};

}  // namespace fleetsim
