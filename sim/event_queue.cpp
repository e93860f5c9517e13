// Implicit 4-ary min-heap over EventRecord, ordered by event_before (time, owner, seq).
// Node i has children 4i+1 .. 4i+4 and parent (i-1)/4. Both sifts move a "hole" instead of
// swapping, so each level costs one 24-byte copy rather than three.
#include "sim/event_queue.hpp"

namespace fleetsim {

void EventQueue::reserve(std::size_t n) { heap_.reserve(n); }

void EventQueue::push(const EventRecord& e) {
  const EventRecord v = e;  // e may alias an element of heap_, which push_back can reallocate
  heap_.push_back(v);
  EventRecord* h = heap_.data();
  std::size_t i = heap_.size() - 1;
  while (i > 0) {
    const std::size_t parent = (i - 1) / 4;
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

  std::size_t i = 0;
  for (;;) {
    const std::size_t first = 4 * i + 1;
    if (first >= n) break;
    std::size_t m = first;
    if (first + 4 <= n) {  // full group of four children: the common case
      if (event_before(h[first + 1], h[m])) m = first + 1;
      if (event_before(h[first + 2], h[m])) m = first + 2;
      if (event_before(h[first + 3], h[m])) m = first + 3;
    } else {
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
