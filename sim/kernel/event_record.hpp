// The native kernel's event record: a 24-byte POD, queued in sim/kernel/native/radix_event_queue.hpp.
#pragma once

#include <cstdint>

namespace fleetsim {

struct EventRecord {
  double time;
  uint32_t owner;   // entity that owns the event (device index, or a service/link entity)
  uint32_t seq;     // tie-break derived from the event itself (the native kernel: kind << 16 | aux)
  uint32_t tag;     // model-defined payload (e.g. a generation counter for cancellation)
  uint16_t kind;    // model-defined event kind
  uint16_t aux;     // model-defined small payload
};
static_assert(sizeof(EventRecord) == 24);

// The total order of events: time, then owner, then the event's own content. It depends only
// on the events, never on insertion order, so it is the same however the fleet is partitioned.
inline bool event_before(const EventRecord& a, const EventRecord& b) {
  if (a.time != b.time) return a.time < b.time;
  if (a.owner != b.owner) return a.owner < b.owner;
  if (a.seq != b.seq) return a.seq < b.seq;
  return a.tag < b.tag;
}

}  // namespace fleetsim
