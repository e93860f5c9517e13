// The reference kernel: the same Kernel interface (sim/kernel/kernel.hpp) on SimGrid 3.32 S4U, so the
// unchanged model runs on SimGrid's validated flow-level network models (README "Kernels: native and SimGrid").
//
// Platform, built from the model's own calls: one star zone "fleetsim" in which every shared link
// the model adds (a region's CDN edge / backhaul) is the link of a server host "cdn-<name>", and
// every entity has a host "dev-<i>" behind its own access link. A transfer for entity d on link L
// is a SimGrid communication from cdn-L to dev-d, so its route is [L, access-d]; the access link
// carries the transfer's cap (its bandwidth) and, in the CM02 and LV08 models, its latency.
//
// Everything runs in maestro (no actor per device): the kernel keeps the model's timers in its own
// queue, ordered exactly like the native kernel's (time, owner, event content), starts and
// cancels communications directly, and runs the SimGrid engine up to the next timer. A completed
// communication makes the engine hand control back at its completion time, so the model reacts
// at that instant, exactly as on the native kernel.
//
// Network models (`network_model`):
//  - "max-min" (default): plain max-min, where both kernels agree (tests/sim/kernel_equivalence_test.cpp). SimGrid's CM02
//    with bandwidth and latency factors 1, no cross traffic and no TCP-gamma bound. The transfer's
//    latency is paid before it joins the network, because CM02 weights a flow's share by its
//    route latency (sharing penalty = latency): with per-device latencies on the route, CM02 is
//    RTT-weighted, not plain, max-min.
//  - "CM02": the same CM02 configuration with the latency on the access link, so SimGrid pays it
//    and weights shares by it.
//  - "LV08": SimGrid's LV08 as shipped (latency × 13.01, bandwidth × 0.97, RTT-weighted with
//    S = 20537, cross traffic, TCP-gamma), latency on the access link.
//
// SimGrid allows one engine per process, so only one SimgridKernel can ever be created in a
// process; a second construction throws std::logic_error.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/kernel/kernel.hpp"
#include "sim/kernel/network_models.hpp"

namespace fleetsim {

class SimgridKernel final : public Kernel {
 public:
  explicit SimgridKernel(const std::string& network_model = "max-min");
  ~SimgridKernel() override;

  const char* name() const override { return "simgrid"; }
  const std::string& network_model() const;
  void configure(uint32_t entity_count) override;
  Seconds now() const override;
  void schedule(Seconds at, EntityId owner, uint16_t kind, uint32_t tag, uint16_t aux = 0) override;

  LinkId add_link(const std::string& name, BytesPerSecond capacity) override;
  void set_link_capacity(LinkId link, BytesPerSecond capacity) override;
  TransferId start_transfer(LinkId link, EntityId owner, Bytes size, BytesPerSecond cap,
                            Seconds latency) override;
  Bytes cancel_transfer(TransferId id) override;
  BytesPerSecond link_throughput(LinkId link) const override;
  uint32_t link_active_transfers(LinkId link) const override;
  LinkStats link_stats(LinkId link) const override;

  void set_pacer(ExternalPacer* pacer) override;
  void run_until(KernelClient& client, Seconds until) override;
  uint64_t events_processed() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fleetsim
