// The small kernel interface the model is written against (README "Architecture"). A kernel offers time,
// timers, bandwidth-shared transfers and latency-delayed messages; it knows nothing about
// devices or rollouts. The native kernel (sim/kernel/native/native_kernel.hpp) implements it for millions of
// devices; the SimGrid kernel implements the same interface on S4U.
//
// Determinism contract: events at equal times are delivered in an order derived from the owning
// entity and the event itself, never from insertion order across owners or from addresses.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "sim/core/quantity.hpp"

namespace fleetsim {

using EntityId = uint32_t;
using LinkId = uint32_t;
using TransferId = uint32_t;
constexpr TransferId kNoTransfer = std::numeric_limits<TransferId>::max();

// The model side: the kernel calls back into it when a timer fires or a transfer completes.
class KernelClient {
 public:
  virtual ~KernelClient() = default;
  virtual void on_timer(EntityId owner, uint16_t kind, uint32_t tag, uint16_t aux) = 0;
  virtual void on_transfer_complete(EntityId owner, TransferId id, Bytes size) = 0;
  // A hint that an event for `owner` is due soon (the model may prefetch its state). Never
  // changes results.
  virtual void prefetch(EntityId /*owner*/) {}
};

// Hardware in the loop (README "Hardware in the loop"): while a board operation is outstanding, virtual time may
// only advance as far as real time allows. Before delivering an event at time t the kernel calls
// advance_to(t); the pacer may block (wall-clock pacing) and may schedule events that arrived
// from outside (a board's outcome) — the kernel then delivers whatever is earliest. A kernel
// without a pacer runs as fast as possible.
class ExternalPacer {
 public:
  virtual ~ExternalPacer() = default;
  virtual void advance_to(Seconds t) = 0;
};

struct LinkStats {
  BytesPerSecond peak_throughput{0};
  uint32_t peak_active = 0;
  Bytes delivered{0};  // bytes of completed and cancelled transfers that went over the link
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual const char* name() const = 0;

  // Entities are dense ids [0, entity_count); each has its own event sequence.
  virtual void configure(uint32_t entity_count) = 0;
  virtual Seconds now() const = 0;

  // A timer for `owner` at absolute time `at` (≥ now). Timers are not cancellable: the model
  // carries a generation in `tag` and ignores stale ones.
  virtual void schedule(Seconds at, EntityId owner, uint16_t kind, uint32_t tag, uint16_t aux = 0) = 0;
  // A message delivered to `to` after `latency` (a timer on the native kernel; a small
  // communication on kernels that model message transport).
  virtual void send_message(EntityId to, Seconds latency, uint16_t kind, uint32_t tag, uint16_t aux = 0) {
    schedule(now() + latency, to, kind, tag, aux);
  }

  // Shared links with max-min fair sharing among their transfers.
  virtual LinkId add_link(const std::string& name, BytesPerSecond capacity) = 0;
  virtual void set_link_capacity(LinkId link, BytesPerSecond capacity) = 0;
  // Starts a transfer for `owner` of `size` bytes over `link`, capped at `cap`; bytes flow
  // after `latency`. on_transfer_complete(owner, id, size) is called when it finishes.
  virtual TransferId start_transfer(LinkId link, EntityId owner, Bytes size, BytesPerSecond cap,
                                    Seconds latency) = 0;
  // Stops a transfer; returns the bytes it had delivered.
  virtual Bytes cancel_transfer(TransferId id) = 0;
  virtual BytesPerSecond link_throughput(LinkId link) const = 0;
  virtual uint32_t link_active_transfers(LinkId link) const = 0;
  virtual LinkStats link_stats(LinkId link) const = 0;

  virtual void set_pacer(ExternalPacer* pacer) = 0;

  // Delivers events in order until none is left at or before `until`; afterwards now() == until.
  virtual void run_until(KernelClient& client, Seconds until) = 0;
  virtual uint64_t events_processed() const = 0;
};

}  // namespace fleetsim
