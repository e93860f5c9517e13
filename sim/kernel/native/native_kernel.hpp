// The native discrete-event kernel: a monotone radix heap of 24-byte event records ordered by
// (time, owner, event content) — a partition-independent total order — and one MaxMinLink per shared link
// (one pending "next finish" event per link, refreshed by generation when the link changes).
// No heap allocation per event once the arrays have grown.
#pragma once

#include <vector>

#include "sim/kernel/native/radix_event_queue.hpp"
#include "sim/kernel/kernel.hpp"
#include "sim/kernel/native/max_min_link.hpp"

namespace fleetsim {

class NativeKernel final : public Kernel {
 public:
  const char* name() const override { return "native"; }
  void configure(uint32_t entity_count) override;
  Seconds now() const override { return Seconds(now_); }
  void schedule(Seconds at, EntityId owner, uint16_t kind, uint32_t tag, uint16_t aux = 0) override;

  LinkId add_link(const std::string& name, BytesPerSecond capacity) override;
  void set_link_capacity(LinkId link, BytesPerSecond capacity) override;
  TransferId start_transfer(LinkId link, EntityId owner, Bytes size, BytesPerSecond cap,
                            Seconds latency) override;
  Bytes cancel_transfer(TransferId id) override;
  BytesPerSecond link_throughput(LinkId link) const override;
  uint32_t link_active_transfers(LinkId link) const override;
  LinkStats link_stats(LinkId link) const override;

  void set_pacer(ExternalPacer* pacer) override { pacer_ = pacer; }
  void run_until(KernelClient& client, Seconds until) override;
  uint64_t events_processed() const override { return events_; }
  size_t pending_events() const { return queue_.size(); }

 private:
  // Internal event kinds live above the model's range.
  static constexpr uint16_t kTransferJoin = 0xFFFE;
  static constexpr uint16_t kLinkFinish = 0xFFFF;

  struct Transfer {
    LinkId link;
    EntityId owner;
    MaxMinLink::Slot slot;  // kNoSlot while paying latency
    uint16_t generation;
    bool live;
    Bytes size;
    BytesPerSecond cap;
  };
  struct Link {
    std::string name;
    MaxMinLink shares;
    uint32_t finish_generation = 0;
    double scheduled_finish = -1;
    LinkStats stats;
  };

  void push(double at, EntityId owner, uint16_t kind, uint32_t tag, uint16_t aux);
  void link_changed(LinkId link);
  TransferId allocate_transfer();

  RadixEventQueue queue_;
  std::vector<Link> links_;
  std::vector<Transfer> transfers_;
  std::vector<TransferId> free_transfers_;
  std::vector<TransferId> completed_;  // reused buffer for one link-finish event
  ExternalPacer* pacer_ = nullptr;
  double now_ = 0.0;
  uint64_t events_ = 0;
  uint32_t entity_count_ = 0;
};

}  // namespace fleetsim
