// The native kernel's pending-event set: small POD records in an implicit 4-ary min-heap.
// Total order: (time, owner, seq) — the owner's own sequence number breaks ties, so the order
// does not depend on insertion order across owners (stable under sharding).
// Implementation and performance notes: sim/event_queue.cpp; benchmark:
// tests/bench/event_queue_bench.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fleetsim {

struct EventRecord {
  double time;
  uint32_t owner;   // entity that owns the event (device index, or a service/link entity)
  uint32_t seq;     // owner's own sequence number
  uint32_t tag;     // model-defined payload (e.g. a generation counter for cancellation)
  uint16_t kind;    // model-defined event kind
  uint16_t aux;     // model-defined small payload
};
static_assert(sizeof(EventRecord) == 24);

inline bool event_before(const EventRecord& a, const EventRecord& b) {
  if (a.time != b.time) return a.time < b.time;
  if (a.owner != b.owner) return a.owner < b.owner;
  return a.seq < b.seq;
}

class EventQueue {
 public:
  void reserve(std::size_t n);
  void push(const EventRecord& e);
  const EventRecord& top() const { return heap_.front(); }  // requires !empty()
  EventRecord pop();                                         // requires !empty()
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  void clear() { heap_.clear(); }

 private:
  std::vector<EventRecord> heap_;
};

}  // namespace fleetsim
