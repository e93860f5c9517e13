// The HIL seam: a pacer sees every event time before delivery and can inject events that
// arrived from outside; those are delivered in time order with the rest.
#include <catch2/catch.hpp>

#include <vector>

#include "sim/kernel/native/native_kernel.hpp"

using namespace fleetsim;

namespace {
struct Recorder : KernelClient {
  std::vector<std::pair<double, uint32_t>> fired;  // (time, tag)
  Kernel* kernel = nullptr;
  void on_timer(EntityId, uint16_t, uint32_t tag, uint16_t) override { fired.push_back({kernel->now().value, tag}); }
  void on_transfer_complete(EntityId, TransferId, Bytes) override {}
};

// Stands in for a board whose update finishes at virtual time 4 (the pacer learns it only when
// the simulation wants to move past 4).
struct BoardPacer : ExternalPacer {
  Kernel& kernel;
  std::vector<double> asked;
  bool injected = false;
  explicit BoardPacer(Kernel& k) : kernel(k) {}
  void advance_to(Seconds t) override {
    asked.push_back(t.value);
    if (!injected && t.value > 4.0) {
      injected = true;
      kernel.schedule(Seconds(4.0), 1, 7, 99);
    }
  }
};
}  // namespace

TEST_CASE("an event injected by the pacer is delivered before later events", "[kernel][hil]") {
  NativeKernel k;
  k.configure(2);
  Recorder r;
  r.kernel = &k;
  BoardPacer pacer(k);
  k.set_pacer(&pacer);
  k.schedule(Seconds(1.0), 0, 7, 1);
  k.schedule(Seconds(10.0), 0, 7, 2);
  k.run_until(r, Seconds(20.0));
  // Expected: 1 (t=1), then the board's outcome 99 (t=4), then 2 (t=10).
  REQUIRE(r.fired.size() == 3);
  CHECK(r.fired[0] == std::make_pair(1.0, 1u));
  CHECK(r.fired[1] == std::make_pair(4.0, 99u));
  CHECK(r.fired[2] == std::make_pair(10.0, 2u));
  // The pacer was asked before each delivery: 1, then 10 (injects), then 4, then 10 again, and
  // finally 20, the end of the run, where the clock stops.
  CHECK(pacer.asked == std::vector<double>{1.0, 10.0, 4.0, 10.0, 20.0});
}

TEST_CASE("without a pacer the kernel runs events back to back", "[kernel][hil]") {
  NativeKernel k;
  k.configure(1);
  Recorder r;
  r.kernel = &k;
  k.schedule(Seconds(2.0), 0, 7, 1);
  k.schedule(Seconds(3.0), 0, 7, 2);
  k.run_until(r, Seconds(5.0));
  REQUIRE(r.fired.size() == 2);
  CHECK(k.now().value == 5.0);  // run_until leaves the clock at `until`
}
