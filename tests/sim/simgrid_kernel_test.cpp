// Specification of the SimGrid kernel (sim/kernel/simgrid/simgrid_kernel.hpp): the kernel contract of
// sim/kernel/kernel.hpp holds on SimGrid exactly as on the native kernel. Each hand-worked case runs on
// both kernels (the SimGrid one in its own process: one SimGrid engine per process) and must give
// the times derived in its comment. Then the SimGrid-only network models: CM02 with latency in
// the route (RTT-weighted sharing) and LV08.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "sim/kernel/native/native_kernel.hpp"
#include "sim/kernel/simgrid/simgrid_kernel.hpp"
#include "tests/fresh_process.hpp"

namespace {

using fleetsim::Bytes;
using fleetsim::BytesPerSecond;
using fleetsim::EntityId;
using fleetsim::Kernel;
using fleetsim::Seconds;
using fleetsim::TransferId;

struct Completed {
  double time;
  EntityId owner;
};

// Records completions and timers with the kernel time; `on_fire` lets a case act from a timer.
class Recorder final : public fleetsim::KernelClient {
 public:
  explicit Recorder(Kernel& k) : kernel(k) {}
  void on_timer(EntityId owner, uint16_t kind, uint32_t tag, uint16_t) override {
    order.push_back('t');
    if (on_fire) on_fire(owner, kind, tag);
  }
  void on_transfer_complete(EntityId owner, TransferId, Bytes) override {
    order.push_back('x');
    done.push_back({kernel.now().value, owner});
  }
  double completion_time(EntityId owner) const {
    for (const Completed& c : done)
      if (c.owner == owner) return c.time;
    return -1;
  }

  Kernel& kernel;
  std::vector<Completed> done;
  std::vector<char> order;
  std::function<void(EntityId, uint16_t, uint32_t)> on_fire;
};

Seconds s(double v) { return Seconds(v); }
Bytes b(double v) { return Bytes(v); }
BytesPerSecond bps(double v) { return BytesPerSecond(v); }
constexpr double kTol = 1e-6;

// Runs `spec` on the native kernel here, then on the SimGrid kernel (network model `model`) in a
// fresh process.
void on_both_kernels(const std::function<void(Kernel&)>& spec) {
  SECTION("native") {
    fleetsim::NativeKernel k;
    spec(k);
  }
  SECTION("simgrid") {
    fleetsim::testing::in_fresh_process([&] {
      fleetsim::SimgridKernel k("max-min");
      spec(k);
    });
  }
}

void on_simgrid(const std::string& model, const std::function<void(Kernel&)>& spec) {
  fleetsim::testing::in_fresh_process([&] {
    fleetsim::SimgridKernel k(model);
    spec(k);
  });
}

}  // namespace

TEST_CASE("on both kernels a transfer pays its latency before joining the link", "[kernel][simgrid]") {
  // 10 B capped at 1 B/s on an idle 100 B/s link with 2 s latency: bytes flow from t = 2 at
  // 1 B/s, so it completes at 2 + 10 = 12 s; at t = 1 it is not yet on the link.
  on_both_kernels([](Kernel& k) {
    k.configure(1);
    Recorder rec(k);
    auto link = k.add_link("l", bps(100));
    k.start_transfer(link, 0, b(10), bps(1), s(2));
    k.run_until(rec, s(1));
    SPEC_REQUIRE(k.link_active_transfers(link) == 0);
    k.run_until(rec, s(100));
    SPEC_REQUIRE(rec.done.size() == 1);
    SPEC_REQUIRE_NEAR(rec.done[0].time, 12, kTol);
    SPEC_REQUIRE(k.now().value == 100);
  });
}

TEST_CASE("on both kernels three capped transfers share a link max-min fairly", "[kernel][simgrid]") {
  // C = 9, caps 1, 2, 10, sizes 10, 10, 60: rates 1, 2, 6 (1 + 2 + f = 9 → f = 6).
  // Owner 1 completes at 10/2 = 5; owner 2 then runs at 8 with 30 B left → 8.75; owner 0 → 10.
  on_both_kernels([](Kernel& k) {
    k.configure(3);
    Recorder rec(k);
    auto link = k.add_link("l", bps(9));
    k.start_transfer(link, 0, b(10), bps(1), s(0));
    k.start_transfer(link, 1, b(10), bps(2), s(0));
    k.start_transfer(link, 2, b(60), bps(10), s(0));
    k.run_until(rec, s(100));
    SPEC_REQUIRE(rec.done.size() == 3);
    SPEC_REQUIRE(rec.done[0].owner == 1);
    SPEC_REQUIRE_NEAR(rec.done[0].time, 5, kTol);
    SPEC_REQUIRE(rec.done[1].owner == 2);
    SPEC_REQUIRE_NEAR(rec.done[1].time, 8.75, kTol);
    SPEC_REQUIRE(rec.done[2].owner == 0);
    SPEC_REQUIRE_NEAR(rec.done[2].time, 10, kTol);
    // Peak: all three at once carrying 9 B/s; 80 B delivered in all.
    SPEC_REQUIRE_NEAR(k.link_stats(link).peak_throughput.value, 9, kTol);
    SPEC_REQUIRE(k.link_stats(link).peak_active == 3);
    SPEC_REQUIRE_NEAR(k.link_stats(link).delivered.value, 80, kTol);
  });
}

TEST_CASE("on both kernels a transfer started from a timer takes its fair share from then on", "[kernel][simgrid]") {
  // C = 10. Owner 0: 100 B capped at 10 → 40 B by t = 4, when owner 1 starts 20 B (cap 10):
  // 5 B/s each, so owner 1 completes at 4 + 20/5 = 8; owner 0 has 60 B then, 40 left at 10 → 12.
  on_both_kernels([](Kernel& k) {
    k.configure(2);
    Recorder rec(k);
    auto link = k.add_link("l", bps(10));
    k.start_transfer(link, 0, b(100), bps(10), s(0));
    k.schedule(s(4), 1, 1, 0);
    rec.on_fire = [&](EntityId owner, uint16_t, uint32_t) { k.start_transfer(link, owner, b(20), bps(10), s(0)); };
    k.run_until(rec, s(100));
    SPEC_REQUIRE_NEAR(rec.completion_time(1), 8, kTol);
    SPEC_REQUIRE_NEAR(rec.completion_time(0), 12, kTol);
  });
}

TEST_CASE("on both kernels cancelling returns the bytes delivered and the transfer never completes",
          "[kernel][simgrid]") {
  // 100 B at 10 B/s: 30 B by t = 3. A second transfer cancelled during its 5 s latency delivers 0.
  on_both_kernels([](Kernel& k) {
    k.configure(2);
    Recorder rec(k);
    auto link = k.add_link("l", bps(100));
    TransferId flowing = k.start_transfer(link, 0, b(100), bps(10), s(0));
    TransferId waiting = k.start_transfer(link, 1, b(10), bps(1), s(5));
    k.run_until(rec, s(3));
    SPEC_REQUIRE_NEAR(k.cancel_transfer(flowing).value, 30, kTol);
    SPEC_REQUIRE(k.cancel_transfer(waiting).value == 0);
    k.run_until(rec, s(100));
    SPEC_REQUIRE(rec.done.empty());
    SPEC_REQUIRE_NEAR(k.link_stats(link).delivered.value, 30, kTol);
    SPEC_REQUIRE(k.link_active_transfers(link) == 0);
  });
}

TEST_CASE("on both kernels a cancelled transfer gives its share back at once", "[kernel][simgrid]") {
  // C = 10, two transfers of 100 B capped at 10: 5 B/s each. Owner 0 is cancelled at t = 2
  // (from a timer); owner 1 has 10 B then and runs alone at 10 B/s: 90 B more → 2 + 9 = 11.
  on_both_kernels([](Kernel& k) {
    k.configure(3);
    Recorder rec(k);
    auto link = k.add_link("l", bps(10));
    TransferId first = k.start_transfer(link, 0, b(100), bps(10), s(0));
    k.start_transfer(link, 1, b(100), bps(10), s(0));
    k.schedule(s(2), 2, 1, 0);
    rec.on_fire = [&](EntityId, uint16_t, uint32_t) { k.cancel_transfer(first); };
    k.run_until(rec, s(100));
    SPEC_REQUIRE(rec.done.size() == 1);
    SPEC_REQUIRE_NEAR(rec.completion_time(1), 11, kTol);
  });
}

TEST_CASE("on both kernels a link at capacity 0 stalls its transfer until it is restored", "[kernel][simgrid]") {
  // 100 B at 10 B/s: 20 B by t = 2, capacity 0 until t = 7, then 80 B at 10 → 15.
  on_both_kernels([](Kernel& k) {
    k.configure(2);
    Recorder rec(k);
    auto link = k.add_link("l", bps(10));
    k.start_transfer(link, 0, b(100), bps(10), s(0));
    k.schedule(s(2), 1, 1, 0);
    k.schedule(s(7), 1, 2, 0);
    rec.on_fire = [&](EntityId, uint16_t kind, uint32_t) { k.set_link_capacity(link, bps(kind == 1 ? 0 : 10)); };
    k.run_until(rec, s(100));
    SPEC_REQUIRE(rec.done.size() == 1);
    SPEC_REQUIRE_NEAR(rec.done[0].time, 15, kTol);
  });
}

TEST_CASE("on both kernels a timer and two completions at one instant come out timer first, then by owner",
          "[kernel][simgrid]") {
  // Owners 2 and 1 each move 10 B at 1 B/s from t = 0 → both complete at 10, as does a timer of
  // owner 3: the timer (a model entity) first, then the completions in owner order 1, 2.
  on_both_kernels([](Kernel& k) {
    k.configure(4);
    Recorder rec(k);
    auto link = k.add_link("l", bps(100));
    k.start_transfer(link, 2, b(10), bps(1), s(0));
    k.start_transfer(link, 1, b(10), bps(1), s(0));
    k.schedule(s(10), 3, 1, 0);
    k.run_until(rec, s(100));
    SPEC_REQUIRE((rec.order == std::vector<char>{'t', 'x', 'x'}));
    SPEC_REQUIRE(rec.done[0].owner == 1);
    SPEC_REQUIRE(rec.done[1].owner == 2);
    SPEC_REQUIRE_NEAR(rec.done[1].time, 10, kTol);
  });
}

TEST_CASE("CM02 with latency in the route shares a link in inverse proportion to each flow's latency",
          "[kernel][simgrid]") {
  // C = 12, uncapped. A: 36 B, latency 1; B: 30 B, latency 3. A runs alone at 12 from t = 1 to 3
  // (24 B). From t = 3 CM02 weights each flow by 1/latency: rA = 3·rB, rA + rB = 12 → 9 and 3.
  // A's last 12 B take 12/9 → 3 + 4/3 = 4.3333; B then has 4 B, 26 left at 12 → 6.5.
  // (Plain max-min would give A 6 B/s → 5, and B 6.5 as well: the link never idles.)
  on_simgrid("CM02", [](Kernel& k) {
    k.configure(2);
    Recorder rec(k);
    auto link = k.add_link("l", bps(12));
    k.start_transfer(link, 0, b(36), bps(1e9), s(1));
    k.start_transfer(link, 1, b(30), bps(1e9), s(3));
    k.run_until(rec, s(100));
    SPEC_REQUIRE_NEAR(rec.completion_time(0), 3 + 4.0 / 3, kTol);
    SPEC_REQUIRE_NEAR(rec.completion_time(1), 6.5, kTol);
  });
}

TEST_CASE("the max-min network model keeps plain max-min sharing whatever the latencies", "[kernel][simgrid]") {
  // The CM02 case above in the default model: from t = 3 both run at 6 → A at 3 + 12/6 = 5,
  // B: 12 B by 5, 18 left at 12 → 6.5.
  on_both_kernels([](Kernel& k) {
    k.configure(2);
    Recorder rec(k);
    auto link = k.add_link("l", bps(12));
    k.start_transfer(link, 0, b(36), bps(1e9), s(1));
    k.start_transfer(link, 1, b(30), bps(1e9), s(3));
    k.run_until(rec, s(100));
    SPEC_REQUIRE_NEAR(rec.completion_time(0), 5, kTol);
    SPEC_REQUIRE_NEAR(rec.completion_time(1), 6.5, kTol);
  });
}

TEST_CASE("only one SimGrid kernel can exist in a process", "[kernel][simgrid]") {
  fleetsim::testing::in_fresh_process([] {
    fleetsim::SimgridKernel first;
    bool refused = false;
    try {
      fleetsim::SimgridKernel second;
    } catch (const std::logic_error&) {
      refused = true;
    }
    SPEC_REQUIRE(refused);
  });
}

TEST_CASE("an unknown SimGrid network model is refused", "[kernel][simgrid]") {
  fleetsim::testing::in_fresh_process(
[] {
    bool refused = false;
    try {
      fleetsim::SimgridKernel k("CM03");
    } catch (const std::invalid_argument&) {
      refused = true;
    }
    SPEC_REQUIRE(refused);
  });
}

TEST_CASE("on both kernels lowering then restoring a link's capacity slows and then speeds up its flows",
          "[kernel][simgrid]") {
  // C = 10, A: 100 B and B: 100 B, both capped at 8 → 5 B/s each. At t = 2 capacity 2 → 1 B/s
  // each; at t = 4 back to 10 → 5 each. By t = 4 each has 10 + 2 = 12 B; 88 B left at 5 → 21.6.
  on_both_kernels([](Kernel& k) {
    k.configure(3);
    Recorder rec(k);
    auto link = k.add_link("l", bps(10));
    k.start_transfer(link, 0, b(100), bps(8), s(0));
    k.start_transfer(link, 1, b(100), bps(8), s(0));
    k.schedule(s(2), 2, 1, 0);
    k.schedule(s(4), 2, 2, 0);
    rec.on_fire = [&](EntityId, uint16_t kind, uint32_t) { k.set_link_capacity(link, bps(kind == 1 ? 2 : 10)); };
    k.run_until(rec, s(100));
    SPEC_REQUIRE(rec.done.size() == 2);
    SPEC_REQUIRE_NEAR(rec.completion_time(0), 21.6, kTol);
    SPEC_REQUIRE_NEAR(rec.completion_time(1), 21.6, kTol);
  });
}

TEST_CASE("on both kernels a capped and an uncapped flow follow a capacity dip", "[kernel][simgrid]") {
  // C = 10, A: 100 B capped at 3, B: 100 B capped at 100 → 3 and 7 B/s. At t = 2 capacity 2 →
  // 1 and 1; at t = 4 back to 10 → 3 and 7. By 4: A 6 + 2 = 8 B, B 14 + 2 = 16 B. B's 84 B left
  // take 12 s → 16. A stays at its cap 3: 92 B from t = 4 → 4 + 92/3 = 34.667.
  on_both_kernels([](Kernel& k) {
    k.configure(3);
    Recorder rec(k);
    auto link = k.add_link("l", bps(10));
    k.start_transfer(link, 0, b(100), bps(3), s(0));
    k.start_transfer(link, 1, b(100), bps(100), s(0));
    k.schedule(s(2), 2, 1, 0);
    k.schedule(s(4), 2, 2, 0);
    rec.on_fire = [&](EntityId, uint16_t kind, uint32_t) { k.set_link_capacity(link, bps(kind == 1 ? 2 : 10)); };
    k.run_until(rec, s(100));
    SPEC_REQUIRE(rec.done.size() == 2);
    SPEC_REQUIRE_NEAR(rec.completion_time(1), 16, kTol);
    SPEC_REQUIRE_NEAR(rec.completion_time(0), 4 + 92.0 / 3, kTol);
  });
}

TEST_CASE("on both kernels a flow started on a degraded link speeds up when the capacity comes back",
          "[kernel][simgrid]") {
  // The link drops to 2 B/s at t = 1; A (100 B, cap 8) starts at t = 2 at 2 B/s; at t = 4 the link
  // is back at 10 and A runs at its cap 8: 4 B by then, 96 B left → 4 + 12 = 16. (SimGrid's CM02
  // alone would keep A at the bound it got at its start, 2 B/s, and finish at 52.)
  on_both_kernels([](Kernel& k) {
    k.configure(2);
    Recorder rec(k);
    auto link = k.add_link("l", bps(10));
    k.schedule(s(1), 1, 1, 0);
    k.schedule(s(2), 1, 2, 0);
    k.schedule(s(4), 1, 3, 0);
    rec.on_fire = [&](EntityId, uint16_t kind, uint32_t) {
      if (kind == 1) k.set_link_capacity(link, bps(2));
      if (kind == 2) k.start_transfer(link, 0, b(100), bps(8), s(0));
      if (kind == 3) k.set_link_capacity(link, bps(10));
    };
    k.run_until(rec, s(100));
    SPEC_REQUIRE(rec.done.size() == 1);
    SPEC_REQUIRE_NEAR(rec.completion_time(0), 16, kTol);
    SPEC_REQUIRE_NEAR(k.link_stats(link).delivered.value, 100, kTol);
  });
}

TEST_CASE("CM02 and max-min agree on an uncongested transfer", "[kernel][simgrid]") {
  // 1000 B capped at 10 B/s with 1 s latency on a link of 1 GB/s: 1 + 1000/10 = 101 in both (the
  // latency weighting of CM02 only matters when flows compete).
  on_simgrid("CM02", [](Kernel& k) {
    k.configure(1);
    Recorder rec(k);
    auto link = k.add_link("l", bps(1e9));
    k.start_transfer(link, 0, b(1000), bps(10), s(1));
    k.run_until(rec, s(1000));
    SPEC_REQUIRE_NEAR(rec.completion_time(0), 101, kTol);
  });
}

TEST_CASE("LV08 stretches the latency by 13.01 and the rate by 0.97 with 5 % acknowledgement traffic",
          "[kernel][simgrid]") {
  // LV08 as SimGrid ships it: latency × 13.01, bandwidth × 0.97, and cross traffic: the
  // acknowledgements use 0.05 of the flow on the symmetric access link, so the flow's rate is
  // 0.97 · 10 / 1.05. 1000 B with 1 s latency: 13.01 + 1000 · 1.05 / 9.7 = 121.2574…
  on_simgrid("LV08", [](Kernel& k) {
    k.configure(1);
    Recorder rec(k);
    auto link = k.add_link("l", bps(1e9));
    k.start_transfer(link, 0, b(1000), bps(10), s(1));
    k.run_until(rec, s(1000));
    SPEC_REQUIRE_NEAR(rec.completion_time(0), 13.01 + 1000 * 1.05 / 9.7, kTol);
  });
}
