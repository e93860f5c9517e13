// Implicit 4-ary min-heap over EventRecord, ordered by event_before (time, owner, seq).
// Node i has children 4i+1 .. 4i+4 and parent (i-1)/4. Both sifts move a "hole" rather than
// swapping, so each level costs one 24-byte copy.
//
// Performance notes (tests/bench/event_queue_bench.cpp, hold model, g++ 12 -O2):
//  * 4-ary beat std::priority_queue at every size, and a tuned 2-ary or 8-ary heap at 1M and
//    10M pending events; at 10k a tuned 2-ary heap is level with it.
//  * Choosing the smallest child uses plain branches on purpose. If GCC turns a rolled loop
//    into cmov, the next level's load has to wait for the comparison, and large heaps get
//    about 2x slower. Keep the unrolled if-chain.
//  * Below the top levels, which stay in cache, pop prefetches the next level's child groups
//    (16 records, 384 bytes, in a row) while it compares the current group.
//  * Defining push/pop inline in the header measured no faster (branch mispredictions and
//    cache misses dominate a call), so they stay here.
#include "sim/event_queue.hpp"

namespace fleetsim {
namespace {

constexpr std::size_t kArity = 4;
// Grandchild groups whose index is below this sit in the top ~6 levels (~390 KB), which the
// hold loop keeps in cache; prefetching them would only cost instructions.
constexpr std::size_t kPrefetchFrom = std::size_t{1} << 14;

}  // namespace

void EventQueue::reserve(std::size_t n) { heap_.reserve(n); }

void EventQueue::push(const EventRecord& e) {
  const EventRecord v = e;  // e may alias an element of heap_, which push_back can reallocate
  heap_.push_back(v);
  EventRecord* h = heap_.data();
  std::size_t i = heap_.size() - 1;
  while (i > 0) {
    const std::size_t parent = (i - 1) / kArity;
    if (!event_before(v, h[parent])) break;
    h[i] = h[parent];
    i = parent;
  }
  h[i] = v;
}

EventRecord EventQueue::pop() {
  EventRecord* h = heap_.data();
  const EventRecord result = h[0];
  const EventRecord last = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size();
  if (n == 0) return result;

  std::size_t i = 0;  // the hole; `last` is placed where it stops
  for (;;) {
    const std::size_t first = kArity * i + 1;
    std::size_t m = first;
    if (first + kArity <= n) {  // full group of four children: the common case
      const std::size_t grand = kArity * first + 1;
      if (grand >= kPrefetchFrom && grand < n) {
        const char* g = reinterpret_cast<const char*>(h + grand);
        constexpr std::size_t bytes = kArity * kArity * sizeof(EventRecord);
        for (std::size_t off = 0; off < bytes; off += 64) __builtin_prefetch(g + off);
        __builtin_prefetch(g + bytes - 1);
      }
      if (event_before(h[first + 1], h[m])) m = first + 1;
      if (event_before(h[first + 2], h[m])) m = first + 2;
      if (event_before(h[first + 3], h[m])) m = first + 3;
    } else {
      if (first >= n) break;
      for (std::size_t c = first + 1; c < n; ++c)
        if (event_before(h[c], h[m])) m = c;
    }
    if (!event_before(h[m], last)) break;
    h[i] = h[m];
    i = m;
  }
  h[i] = last;
  return result;
}

}  // namespace fleetsim
