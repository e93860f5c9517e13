// Specification of the NativeKernel (sim/kernel/kernel.hpp, sim/kernel/native/native_kernel.hpp): timers in time order
// with a tie order that does not depend on scheduling order, and transfers over shared links that
// pay their latency first and then share the link max-min fairly (transfer i runs at min(c_i, f)
// with Σ min(c_i, f) = C). Every expected time is worked out by hand in the comment next to it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <tuple>
#include <vector>

#include "sim/kernel/native/native_kernel.hpp"

namespace {

using fleetsim::Bytes;
using fleetsim::BytesPerSecond;
using fleetsim::EntityId;
using fleetsim::NativeKernel;
using fleetsim::Seconds;
using fleetsim::TransferId;

struct Fired {
  double time;
  EntityId owner;
  uint16_t kind;
  uint32_t tag;
  uint16_t aux;
  bool operator==(const Fired&) const = default;
};

struct Completed {
  double time;
  EntityId owner;
  TransferId id;
  double size;
};

// Records every callback with the kernel time at which it happened; `on_fire` lets a test act
// from inside a timer (start or cancel a transfer, change a link's capacity).
class Recorder final : public fleetsim::KernelClient {
 public:
  explicit Recorder(NativeKernel& k) : kernel(k) {}
  void on_timer(EntityId owner, uint16_t kind, uint32_t tag, uint16_t aux) override {
    timers.push_back({kernel.now().value, owner, kind, tag, aux});
    if (on_fire) on_fire(owner, kind, tag);
  }
  void on_transfer_complete(EntityId owner, TransferId id, Bytes size) override {
    transfers.push_back({kernel.now().value, owner, id, size.value});
  }
  double completion_time(EntityId owner) const {
    for (const Completed& c : transfers)
      if (c.owner == owner) return c.time;
    return -1;
  }

  NativeKernel& kernel;
  std::vector<Fired> timers;
  std::vector<Completed> transfers;
  std::function<void(EntityId, uint16_t, uint32_t)> on_fire;
};

Seconds s(double v) { return Seconds(v); }
Bytes b(double v) { return Bytes(v); }
BytesPerSecond bps(double v) { return BytesPerSecond(v); }

}  // namespace

TEST_CASE("timers fire in time order at their own time", "[kernel]") {
  NativeKernel k;
  k.configure(3);
  Recorder rec(k);
  k.schedule(s(3), 0, 1, 30);
  k.schedule(s(1), 1, 1, 10);
  k.schedule(s(2), 2, 1, 20);
  k.run_until(rec, s(10));
  REQUIRE(rec.timers.size() == 3);
  CHECK(rec.timers[0] == Fired{1, 1, 1, 10, 0});
  CHECK(rec.timers[1] == Fired{2, 2, 1, 20, 0});
  CHECK(rec.timers[2] == Fired{3, 0, 1, 30, 0});
  CHECK(k.events_processed() == 3);
}

TEST_CASE("run_until delivers nothing after its bound and leaves now at the bound", "[kernel]") {
  NativeKernel k;
  k.configure(1);
  Recorder rec(k);
  k.schedule(s(2), 0, 1, 0);
  k.schedule(s(5), 0, 1, 1);
  k.run_until(rec, s(4));
  // Only the timer at 2 ≤ 4 fired; afterwards now() == 4 although the last event was at 2.
  REQUIRE(rec.timers.size() == 1);
  CHECK(rec.timers[0].time == 2);
  CHECK(k.now().value == 4);
  CHECK(k.pending_events() == 1);
  k.run_until(rec, s(5));  // the bound is inclusive
  REQUIRE(rec.timers.size() == 2);
  CHECK(rec.timers[1].time == 5);
}

TEST_CASE("timers at equal times come out by owner whatever order they were scheduled in", "[kernel]") {
  // Tie order (sim/kernel/native/native_kernel.cpp push): owner, then kind, then aux, then tag.
  const std::vector<Fired> expected = {
      {7, 1, 2, 0, 0}, {7, 2, 1, 5, 0}, {7, 2, 1, 9, 0}, {7, 2, 3, 0, 0}, {7, 3, 1, 0, 0}};
  std::vector<Fired> order = expected;
  std::vector<std::vector<Fired>> outputs;
  // Every permutation of the five schedule calls gives the same delivery order.
  std::sort(order.begin(), order.end(), [](const Fired& a, const Fired& c) {
    return std::tie(a.owner, a.kind, a.tag) < std::tie(c.owner, c.kind, c.tag);
  });
  do {
    NativeKernel k;
    k.configure(4);
    Recorder rec(k);
    k.schedule(s(1), 0, 9, 0);  // an earlier event first, so the ties are not all in the first bucket
    for (const Fired& f : order) k.schedule(s(f.time), f.owner, f.kind, f.tag, f.aux);
    k.run_until(rec, s(10));
    rec.timers.erase(rec.timers.begin());
    outputs.push_back(rec.timers);
  } while (std::next_permutation(order.begin(), order.end(), [](const Fired& a, const Fired& c) {
    return std::tie(a.owner, a.kind, a.tag) < std::tie(c.owner, c.kind, c.tag);
  }));
  REQUIRE(outputs.size() == 120);  // 5!
  for (const auto& out : outputs) CHECK(out == expected);
}

TEST_CASE("a transfer pays its latency before joining the link", "[kernel]") {
  // 10 B capped at 1 B/s on an idle link of 100 B/s with 2 s latency: bytes flow from t = 2 at
  // min(cap 1, capacity 100) = 1 B/s, so it completes at 2 + 10/1 = 12 s.
  NativeKernel k;
  k.configure(1);
  Recorder rec(k);
  auto link = k.add_link("l", bps(100));
  TransferId id = k.start_transfer(link, 0, b(10), bps(1), s(2));
  k.run_until(rec, s(1));
  CHECK(k.link_active_transfers(link) == 0);  // still paying latency
  CHECK(k.link_throughput(link).value == 0);
  k.run_until(rec, s(3));
  CHECK(k.link_active_transfers(link) == 1);
  CHECK(k.link_throughput(link).value == 1);
  k.run_until(rec, s(100));
  REQUIRE(rec.transfers.size() == 1);
  CHECK(rec.transfers[0].time == Approx(12).margin(1e-9));
  CHECK(rec.transfers[0].owner == 0);
  CHECK(rec.transfers[0].id == id);
  CHECK(rec.transfers[0].size == 10);
  CHECK(k.link_active_transfers(link) == 0);
}

TEST_CASE("three capped transfers share a link max-min fairly until each completes", "[kernel]") {
  // C = 9, caps 1, 2, 10, sizes 10, 10, 60, all joining at 0.
  // Level f: 1 + 2 + f = 9 → f = 6 ∈ (2, 10): rates 1, 2, 6.
  // Owner 1 (10 B at 2 B/s) completes at 5; by then owner 0 has 5 B, owner 2 has 30 B.
  // Then f: 1 + f = 9 → f = 8 < 10: owner 2 has 30 B left at 8 B/s → 5 + 30/8 = 8.75.
  // Owner 0 has 5 B left at 1 B/s → 10.
  NativeKernel k;
  k.configure(3);
  Recorder rec(k);
  auto link = k.add_link("l", bps(9));
  k.start_transfer(link, 0, b(10), bps(1), s(0));
  k.start_transfer(link, 1, b(10), bps(2), s(0));
  k.start_transfer(link, 2, b(60), bps(10), s(0));
  k.run_until(rec, s(100));
  REQUIRE(rec.transfers.size() == 3);
  CHECK(rec.transfers[0].owner == 1);
  CHECK(rec.transfers[0].time == Approx(5).margin(1e-9));
  CHECK(rec.transfers[1].owner == 2);
  CHECK(rec.transfers[1].time == Approx(8.75).margin(1e-9));
  CHECK(rec.transfers[2].owner == 0);
  CHECK(rec.transfers[2].time == Approx(10).margin(1e-9));
}

TEST_CASE("a transfer starting mid-way takes its fair share from then on", "[kernel]") {
  // C = 10. Owner 0: 100 B capped at 10 from t = 0 → 10 B/s, 40 B done at t = 4.
  // At t = 4 (from a timer) owner 1 starts 20 B capped at 10, no latency: f = 5 each.
  // Owner 1 completes at 4 + 20/5 = 8; owner 0 then has 40 + 20 = 60 B, 40 B left at 10 B/s → 12.
  NativeKernel k;
  k.configure(2);
  Recorder rec(k);
  auto link = k.add_link("l", bps(10));
  k.start_transfer(link, 0, b(100), bps(10), s(0));
  k.schedule(s(4), 1, 1, 0);
  rec.on_fire = [&](EntityId owner, uint16_t, uint32_t) { k.start_transfer(link, owner, b(20), bps(10), s(0)); };
  k.run_until(rec, s(100));
  CHECK(rec.completion_time(1) == Approx(8).margin(1e-9));
  CHECK(rec.completion_time(0) == Approx(12).margin(1e-9));
}

TEST_CASE("cancelling a transfer returns the bytes it delivered and it never completes", "[kernel]") {
  // 100 B capped at 10 B/s on a 100 B/s link, no latency: 10 B/s, so 30 B by t = 3.
  NativeKernel k;
  k.configure(1);
  Recorder rec(k);
  auto link = k.add_link("l", bps(100));
  TransferId id = k.start_transfer(link, 0, b(100), bps(10), s(0));
  k.run_until(rec, s(3));
  CHECK(k.cancel_transfer(id).value == Approx(30).margin(1e-9));
  CHECK(k.link_active_transfers(link) == 0);
  k.run_until(rec, s(100));  // it would have completed at 10
  CHECK(rec.transfers.empty());
  CHECK(k.link_stats(link).delivered.value == Approx(30).margin(1e-9));
}

TEST_CASE("cancelling during the latency phase delivers nothing and never completes", "[kernel]") {
  NativeKernel k;
  k.configure(1);
  Recorder rec(k);
  auto link = k.add_link("l", bps(100));
  TransferId id = k.start_transfer(link, 0, b(10), bps(1), s(5));
  k.run_until(rec, s(2));
  CHECK(k.cancel_transfer(id).value == 0);
  k.run_until(rec, s(100));  // it would have joined at 5 and completed at 15
  CHECK(rec.transfers.empty());
  CHECK(k.link_stats(link).peak_active == 0);
  CHECK(k.link_stats(link).delivered.value == 0);
}

TEST_CASE("a transfer cancelled during its latency does not let its join start the transfer that reuses its id",
          "[kernel]") {
  // A (latency 5, would join at 5) is cancelled at 1; B starts at 1 with latency 10 and most
  // likely reuses A's id. B joins at 1 + 10 = 11 and completes at 11 + 10/1 = 21 — not at
  // 5 + 10 = 15, which it would if A's stale join event were taken for B's.
  NativeKernel k;
  k.configure(2);
  Recorder rec(k);
  auto link = k.add_link("l", bps(100));
  TransferId a = k.start_transfer(link, 0, b(10), bps(1), s(5));
  k.run_until(rec, s(1));
  k.cancel_transfer(a);
  k.start_transfer(link, 1, b(10), bps(1), s(10));
  k.run_until(rec, s(100));
  REQUIRE(rec.transfers.size() == 1);
  CHECK(rec.transfers[0].owner == 1);
  CHECK(rec.transfers[0].time == Approx(21).margin(1e-9));
}

TEST_CASE("a link at capacity 0 stalls its transfers and restoring it resumes them", "[kernel]") {
  // 100 B capped at 10 on a 10 B/s link: 20 B by t = 2, when capacity drops to 0; restored at
  // t = 7, the remaining 80 B take 8 s → 15 = the undisturbed finish 10 + the 5 s outage.
  NativeKernel k;
  k.configure(2);
  Recorder rec(k);
  auto link = k.add_link("l", bps(10));
  k.start_transfer(link, 0, b(100), bps(10), s(0));
  k.schedule(s(2), 1, 1, 0);
  k.schedule(s(7), 1, 2, 0);
  rec.on_fire = [&](EntityId, uint16_t kind, uint32_t) { k.set_link_capacity(link, bps(kind == 1 ? 0 : 10)); };
  k.run_until(rec, s(5));
  CHECK(k.link_throughput(link).value == 0);
  CHECK(k.link_active_transfers(link) == 1);  // stalled, not dropped
  CHECK(rec.transfers.empty());
  k.run_until(rec, s(100));
  REQUIRE(rec.transfers.size() == 1);
  CHECK(rec.transfers[0].time == Approx(15).margin(1e-9));
}

TEST_CASE("link stats keep the peak throughput, peak active transfers and delivered bytes", "[kernel]") {
  // The three-transfer link of C = 9: three active at once carrying 1 + 2 + 6 = 9 B/s, and
  // 10 + 10 + 60 = 80 B delivered; the peaks stay after the link drains.
  NativeKernel k;
  k.configure(3);
  Recorder rec(k);
  auto link = k.add_link("l", bps(9));
  k.start_transfer(link, 0, b(10), bps(1), s(0));
  k.start_transfer(link, 1, b(10), bps(2), s(0));
  k.start_transfer(link, 2, b(60), bps(10), s(0));
  k.run_until(rec, s(100));
  const auto st = k.link_stats(link);
  CHECK(st.peak_throughput.value == Approx(9).margin(1e-9));
  CHECK(st.peak_active == 3);
  CHECK(st.delivered.value == Approx(80).margin(1e-9));
  CHECK(k.link_throughput(link).value == 0);
  CHECK(k.link_active_transfers(link) == 0);
}

TEST_CASE("a transfer capped below the link's capacity never shows more than its cap", "[kernel]") {
  // One transfer capped at 3 on a link of 100: peak throughput is the cap, 3 B/s, not the capacity.
  NativeKernel k;
  k.configure(1);
  Recorder rec(k);
  auto link = k.add_link("l", bps(100));
  k.start_transfer(link, 0, b(30), bps(3), s(0));
  k.run_until(rec, s(100));
  CHECK(k.link_stats(link).peak_throughput.value == Approx(3).margin(1e-9));
  CHECK(rec.completion_time(0) == Approx(10).margin(1e-9));  // 30 B / 3 B/s
}

TEST_CASE("at equal times a device timer is delivered before a transfer completion on a link", "[kernel]") {
  // Link entities sort after every model entity at equal times: a transfer finishing at 10
  // (10 B at 1 B/s) and a timer at 10 → the timer's callback runs first.
  NativeKernel k;
  k.configure(2);
  std::vector<char> order;
  struct Client final : fleetsim::KernelClient {
    std::vector<char>& order;
    explicit Client(std::vector<char>& o) : order(o) {}
    void on_timer(EntityId, uint16_t, uint32_t, uint16_t) override { order.push_back('t'); }
    void on_transfer_complete(EntityId, TransferId, Bytes) override { order.push_back('x'); }
  } client(order);
  auto link = k.add_link("l", bps(100));
  k.start_transfer(link, 0, b(10), bps(1), s(0));
  k.schedule(s(10), 1, 1, 0);
  k.run_until(client, s(100));
  CHECK(order == std::vector<char>{'t', 'x'});
}
