// Specification of MaxMinLink: one link of capacity C shared max-min fairly by transfers that
// are each capped at their own rate. Transfer i runs at min(c_i, f), where the level f solves
// Σ min(c_i, f) = C (f = ∞ when Σ c_i ≤ C). Expected values below are worked out by hand.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/kernel/native/max_min_link.hpp"

namespace {

using fleetsim::Bytes;
using fleetsim::BytesPerSecond;
using fleetsim::MaxMinLink;
using fleetsim::Seconds;

constexpr double kInf = std::numeric_limits<double>::infinity();

Seconds s(double v) { return Seconds(v); }
Bytes b(double v) { return Bytes(v); }
BytesPerSecond bps(double v) { return BytesPerSecond(v); }

struct Finish {
  uint64_t cookie;
  double time;
};

// Steps through finishes the way the kernel does: an event at next_finish(), then
// complete_until at that time. Stops after `until`, or when nothing can finish.
std::vector<Finish> run_until(MaxMinLink& link, double until) {
  std::vector<Finish> out;
  for (double t = link.next_finish().value; t <= until && t < kInf; t = link.next_finish().value) {
    link.complete_until(s(t), [&](uint64_t cookie, MaxMinLink::Slot) { out.push_back({cookie, t}); });
  }
  return out;
}

}  // namespace

TEST_CASE("each transfer gets the smaller of its cap and the fair-share level") {
  // C = 9, caps 1, 2, 10. Try f in (2, 10): 1 + 2 + f = 9 → f = 6, which lies in (2, 10).
  MaxMinLink link(bps(9));
  const auto a = link.add(s(0), b(10), bps(1), 1);
  const auto c = link.add(s(0), b(10), bps(2), 2);
  const auto d = link.add(s(0), b(60), bps(10), 3);
  CHECK(link.rate(a).value == 1);
  CHECK(link.rate(c).value == 2);
  CHECK(link.rate(d).value == 6);
  CHECK(link.level() == 6);
  CHECK(link.throughput().value == 9);
  CHECK(link.active() == 3);
}

TEST_CASE("a finish releases bandwidth to the transfers still sharing") {
  // C = 9, caps 1, 2, 10, sizes 10, 10, 60: rates 1, 2, 6 (see above).
  // Cookie 2 ends first at 10 / 2 = 5 s (cookie 1 would need 10 s, cookie 3 10 s).
  // At 5 s cookie 3 has 60 − 6·5 = 30 left; the level becomes 9 − 1 = 8 (< 10), so it ends at
  // 5 + 30 / 8 = 8.75 s. Cookie 1 runs at 1 throughout and ends at 10 s.
  // (SimGrid CM02 with all factors 1 gives the same times.)
  MaxMinLink link(bps(9));
  const auto a = link.add(s(0), b(10), bps(1), 1);
  link.add(s(0), b(10), bps(2), 2);
  const auto d = link.add(s(0), b(60), bps(10), 3);

  const std::vector<Finish> first = run_until(link, 5);
  REQUIRE(first.size() == 1);
  CHECK(first[0].cookie == 2);
  CHECK(first[0].time == Approx(5).epsilon(1e-12));
  CHECK(link.rate(a).value == 1);
  CHECK(link.rate(d).value == 8);

  const std::vector<Finish> rest = run_until(link, kInf);
  REQUIRE(rest.size() == 2);
  CHECK(rest[0].cookie == 3);
  CHECK(rest[0].time == Approx(8.75).epsilon(1e-12));
  CHECK(rest[1].cookie == 1);
  CHECK(rest[1].time == Approx(10).epsilon(1e-12));
  CHECK(link.active() == 0);
}

TEST_CASE("one late complete_until applies every finish at its own time") {
  // Same link as above, but the caller only asks at 9 s. Cookie 3 ends at 8.75 s only if the
  // level rose to 8 at 5 s; with the initial level 6 it would need 60 / 6 = 10 s.
  MaxMinLink link(bps(9));
  const auto a = link.add(s(0), b(10), bps(1), 1);
  link.add(s(0), b(10), bps(2), 2);
  link.add(s(0), b(60), bps(10), 3);

  std::vector<uint64_t> order;
  link.complete_until(s(9), [&](uint64_t cookie, MaxMinLink::Slot) { order.push_back(cookie); });
  CHECK(order == std::vector<uint64_t>{2, 3});
  // Cookie 1 ran at its cap of 1 the whole time: 9 bytes by 9 s.
  CHECK(link.bytes_done(s(9), a).value == Approx(9).epsilon(1e-12));
  CHECK(link.next_finish().value == Approx(10).epsilon(1e-12));
}

TEST_CASE("a transfer that joins mid-way halves the share from its start") {
  // C = 10. A (cap 10, 100 B) runs alone at 10 B/s; at 2 s it has 80 B left and B (cap 10,
  // 100 B) joins: f = 10 / 2 = 5 for both. A ends at 2 + 80 / 5 = 18 s, by when B has moved
  // 5·16 = 80 B; B then runs alone at 10 and ends at 18 + 20 / 10 = 20 s.
  MaxMinLink link(bps(10));
  link.add(s(0), b(100), bps(10), 1);
  const auto bslot = link.add(s(2), b(100), bps(10), 2);
  CHECK(link.rate(bslot).value == 5);
  CHECK(link.bytes_done(s(18), bslot).value == Approx(80).epsilon(1e-12));

  const std::vector<Finish> f = run_until(link, kInf);
  REQUIRE(f.size() == 2);
  CHECK(f[0].cookie == 1);
  CHECK(f[0].time == Approx(18).epsilon(1e-12));
  CHECK(f[1].cookie == 2);
  CHECK(f[1].time == Approx(20).epsilon(1e-12));
}

TEST_CASE("removing a transfer returns the bytes it moved and frees its share") {
  // C = 10, two transfers of cap 10 and 100 B each: 5 B/s each. Removing B at 4 s returns
  // 5·4 = 20 B. A has 80 B left and now runs at 10: it ends at 4 + 80 / 10 = 12 s.
  MaxMinLink link(bps(10));
  link.add(s(0), b(100), bps(10), 1);
  const auto bslot = link.add(s(0), b(100), bps(10), 2);
  CHECK(link.remove(s(4), bslot).value == Approx(20).epsilon(1e-12));
  CHECK(link.active() == 1);

  const std::vector<Finish> f = run_until(link, kInf);
  REQUIRE(f.size() == 1);
  CHECK(f[0].cookie == 1);
  CHECK(f[0].time == Approx(12).epsilon(1e-12));
}

TEST_CASE("a capacity drop mid-way re-shares the remaining bytes") {
  // C = 10, A (cap 4, 40 B), B (cap 20, 100 B): 4 + f = 10 → f = 6 > 4, so A runs at 4, B at 6.
  // At 5 s: A has 40 − 20 = 20 B left, B has 100 − 30 = 70 B. Capacity drops to 5: with both
  // sharing f = 2.5 < 4, so both run at 2.5 (A leaves the capped group). A ends at
  // 5 + 20 / 2.5 = 13 s; B then has 70 − 20 = 50 B at min(20, 5) = 5 B/s: ends at 23 s.
  MaxMinLink link(bps(10));
  const auto a = link.add(s(0), b(40), bps(4), 1);
  const auto bslot = link.add(s(0), b(100), bps(20), 2);
  CHECK(link.rate(a).value == 4);
  CHECK(link.rate(bslot).value == 6);

  link.set_capacity(s(5), bps(5));
  CHECK(link.rate(a).value == 2.5);
  CHECK(link.rate(bslot).value == 2.5);
  CHECK(link.capacity().value == 5);

  const std::vector<Finish> f = run_until(link, kInf);
  REQUIRE(f.size() == 2);
  CHECK(f[0].cookie == 1);
  CHECK(f[0].time == Approx(13).epsilon(1e-12));
  CHECK(f[1].cookie == 2);
  CHECK(f[1].time == Approx(23).epsilon(1e-12));
}

TEST_CASE("an outage freezes every transfer until capacity returns") {
  // C = 10. A (cap 10, 100 B) runs at 10 until the outage at 3 s: 30 B done, 70 B left.
  // B (cap 5, 10 B) joins during the outage at 10 s and moves nothing.
  // At 50 s C = 10 again: min(5, f) + min(10, f) = 10 → f = 5, so both run at 5.
  // B ends at 50 + 10 / 5 = 52 s, when A has 70 − 10 = 60 B left at 10 B/s: A ends at 58 s.
  MaxMinLink link(bps(10));
  const auto a = link.add(s(0), b(100), bps(10), 1);
  link.set_capacity(s(3), bps(0));
  const auto bslot = link.add(s(10), b(10), bps(5), 2);

  CHECK(link.next_finish().value == kInf);
  CHECK(link.rate(a).value == 0);
  CHECK(link.rate(bslot).value == 0);
  CHECK(link.throughput().value == 0);
  CHECK(link.bytes_done(s(40), a).value == Approx(30).epsilon(1e-12));
  int finished = 0;
  link.complete_until(s(40), [&](uint64_t, MaxMinLink::Slot) { ++finished; });
  CHECK(finished == 0);

  link.set_capacity(s(50), bps(10));
  const std::vector<Finish> f = run_until(link, kInf);
  REQUIRE(f.size() == 2);
  CHECK(f[0].cookie == 2);
  CHECK(f[0].time == Approx(52).epsilon(1e-12));
  CHECK(f[1].cookie == 1);
  CHECK(f[1].time == Approx(58).epsilon(1e-12));
}

TEST_CASE("when all caps fit in the capacity every transfer runs at its cap") {
  // C = 100 ≥ 10 + 20 + 30 = 60: f = ∞, throughput 60; finishes at size / cap.
  MaxMinLink link(bps(100));
  const auto a = link.add(s(0), b(30), bps(10), 1);  // 3 s
  const auto c = link.add(s(0), b(20), bps(20), 2);  // 1 s
  const auto d = link.add(s(0), b(60), bps(30), 3);  // 2 s
  CHECK(link.level() == kInf);
  CHECK(link.rate(a).value == 10);
  CHECK(link.rate(c).value == 20);
  CHECK(link.rate(d).value == 30);
  CHECK(link.throughput().value == 60);

  const std::vector<Finish> f = run_until(link, kInf);
  REQUIRE(f.size() == 3);
  CHECK(f[0].cookie == 2);
  CHECK(f[0].time == Approx(1).epsilon(1e-12));
  CHECK(f[1].cookie == 3);
  CHECK(f[1].time == Approx(2).epsilon(1e-12));
  CHECK(f[2].cookie == 1);
  CHECK(f[2].time == Approx(3).epsilon(1e-12));
}

TEST_CASE("equal caps above the level split the capacity evenly") {
  // C = 9, three caps of 5: 3·min(5, f) = 9 → f = 3.
  MaxMinLink link(bps(9));
  const auto a = link.add(s(0), b(1), bps(5), 1);
  const auto c = link.add(s(0), b(1), bps(5), 2);
  const auto d = link.add(s(0), b(1), bps(5), 3);
  CHECK(link.level() == 3);
  CHECK(link.rate(a).value == 3);
  CHECK(link.rate(c).value == 3);
  CHECK(link.rate(d).value == 3);
}

TEST_CASE("equal caps that exactly fill the capacity all run at their cap") {
  // C = 9, three caps of 3: Σ c = 9 ≤ C, so f = ∞ and each runs at 3; throughput is C.
  MaxMinLink link(bps(9));
  const auto a = link.add(s(0), b(1), bps(3), 1);
  link.add(s(0), b(1), bps(3), 2);
  link.add(s(0), b(1), bps(3), 3);
  CHECK(link.level() == kInf);
  CHECK(link.rate(a).value == 3);
  CHECK(link.throughput().value == 9);
}

TEST_CASE("many identical transfers finish together, reported in slot order") {
  // C = 100, 1000 transfers of cap 1 and 1 B: f = 100 / 1000 = 0.1, all finish at 1 / 0.1 = 10 s.
  // The rounding in F must not split them: a single complete_until at the first finish time
  // completes all of them, ties broken by slot.
  MaxMinLink link(bps(100));
  std::vector<MaxMinLink::Slot> slots;
  for (uint64_t i = 0; i < 1000; ++i) slots.push_back(link.add(s(0), b(1), bps(1), i));
  CHECK(link.level() == Approx(0.1).epsilon(1e-15));
  const double t = link.next_finish().value;
  CHECK(t == Approx(10).epsilon(1e-12));

  std::vector<MaxMinLink::Slot> order;
  link.complete_until(s(t), [&](uint64_t, MaxMinLink::Slot slot) { order.push_back(slot); });
  std::sort(slots.begin(), slots.end());
  CHECK(order == slots);
  CHECK(link.active() == 0);
}

TEST_CASE("complete_until tolerates a finish a relative 1e-12 past now, not more") {
  // Cap 1, C = 10 (so rate = cap): finish time = size. 10·(1 + 1e-13) is within tolerance of
  // 10 s; 10·(1 + 1e-10) is not.
  MaxMinLink link(bps(10));
  link.add(s(0), b(10 * (1 + 1e-13)), bps(1), 1);
  link.add(s(0), b(10 * (1 + 1e-10)), bps(1), 2);
  std::vector<uint64_t> done;
  link.complete_until(s(10), [&](uint64_t cookie, MaxMinLink::Slot) { done.push_back(cookie); });
  CHECK(done == std::vector<uint64_t>{1});
  CHECK(link.active() == 1);
}

TEST_CASE("an empty transfer finishes at the time it was added") {
  MaxMinLink link(bps(10));
  link.add(s(0), b(100), bps(10), 1);
  link.add(s(3), b(0), bps(10), 2);
  CHECK(link.next_finish().value == 3);
  std::vector<uint64_t> done;
  link.complete_until(s(3), [&](uint64_t cookie, MaxMinLink::Slot) { done.push_back(cookie); });
  CHECK(done == std::vector<uint64_t>{2});
}

// ---- differential test against a from-scratch water-filling reference ----------------------

namespace {

// Recomputes the max-min allocation from scratch at every event and integrates remaining bytes
// exactly between events (rates are constant in between).
class ReferenceLink {
 public:
  struct Transfer {
    uint64_t cookie;
    double size, cap, remaining;
  };

  explicit ReferenceLink(double capacity) : capacity_(capacity) {}

  void add(double now, double size, double cap, uint64_t cookie) {
    advance(now);
    transfers_.push_back({cookie, size, cap, size});
  }
  double remove(double now, uint64_t cookie) {
    advance(now);
    const auto it = find(cookie);
    const double done = it->size - it->remaining;
    transfers_.erase(it);
    return done;
  }
  void set_capacity(double now, double capacity) {
    advance(now);
    capacity_ = capacity;
  }
  double throughput() const {
    double sum = 0;
    for (double r : rates()) sum += r;
    return sum;
  }
  // Completes, one at a time, every transfer finishing by `until`, recording its finish time.
  void finish_until(double until, std::unordered_map<uint64_t, double>& finish_time) {
    for (;;) {
      const std::vector<double> r = rates();
      double best = kInf;
      size_t best_i = 0;
      for (size_t i = 0; i < transfers_.size(); ++i) {
        if (r[i] <= 0) continue;
        const double t = now_ + transfers_[i].remaining / r[i];
        if (t < best) best = t, best_i = i;
      }
      if (best == kInf || best > until) break;
      advance(best);
      finish_time[transfers_[best_i].cookie] = best;
      transfers_.erase(transfers_.begin() + static_cast<std::ptrdiff_t>(best_i));
    }
    if (until < kInf) advance(until);
  }
  size_t active() const { return transfers_.size(); }

 private:
  // Water-filling: visit caps in increasing order; each takes min(cap, what is left / how many
  // are left); once a cap exceeds that share, it and every larger cap get the share.
  std::vector<double> rates() const {
    std::vector<size_t> order(transfers_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t x, size_t y) { return transfers_[x].cap < transfers_[y].cap; });
    std::vector<double> r(transfers_.size());
    double left = capacity_;
    for (size_t k = 0; k < order.size(); ++k) {
      const double share = left / static_cast<double>(order.size() - k);
      const double cap = transfers_[order[k]].cap;
      if (cap <= share) {
        r[order[k]] = cap;
        left -= cap;
      } else {
        for (size_t j = k; j < order.size(); ++j) r[order[j]] = share;
        break;
      }
    }
    return r;
  }
  void advance(double now) {
    const std::vector<double> r = rates();
    for (size_t i = 0; i < transfers_.size(); ++i)
      transfers_[i].remaining = std::max(transfers_[i].remaining - r[i] * (now - now_), 0.0);
    now_ = now;
  }
  std::vector<Transfer>::iterator find(uint64_t cookie) {
    return std::find_if(transfers_.begin(), transfers_.end(),
                        [&](const Transfer& t) { return t.cookie == cookie; });
  }

  double capacity_;
  double now_ = 0;
  std::vector<Transfer> transfers_;
};

}  // namespace

TEST_CASE("random add/remove/capacity sequences match a from-scratch water-filling reference") {
  const uint64_t seed = GENERATE(1u, 2u, 3u, 4u, 5u, 6u);
  CAPTURE(seed);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  auto uniform = [&](double lo, double hi) { return lo + (hi - lo) * u01(rng); };

  double capacity = 50;
  MaxMinLink link(bps(capacity));
  ReferenceLink ref(capacity);
  std::unordered_map<uint64_t, MaxMinLink::Slot> slot_of;  // active transfers
  std::vector<uint64_t> active;
  std::unordered_map<uint64_t, double> link_finish, ref_finish;
  uint64_t next_cookie = 0;
  size_t peak = 0, removals = 0, outages = 0;

  // Drives the link the way the kernel does and drops finished transfers from `active`.
  auto settle = [&](double until) {
    for (const Finish& f : run_until(link, until)) {
      link_finish[f.cookie] = f.time;
      slot_of.erase(f.cookie);
      active.erase(std::find(active.begin(), active.end(), f.cookie));
    }
    ref.finish_until(until, ref_finish);
    REQUIRE(link.active() == ref.active());
  };

  double now = 0;
  for (int op = 0; op < 600; ++op) {
    now += -0.15 * std::log(u01(rng));  // exponential gaps, mean 0.15 s
    settle(now);
    const double r = u01(rng);
    if (active.size() < 2 || r < 0.65) {
      // Caps log-uniform on [0.1, 10], with a quarter drawn from a few values to create ties.
      const double cap = u01(rng) < 0.25 ? std::vector<double>{0.5, 1, 2}[rng() % 3]
                                         : 0.1 * std::pow(100.0, u01(rng));
      const double size = uniform(1, 200);
      const uint64_t cookie = next_cookie++;
      slot_of[cookie] = link.add(s(now), b(size), bps(cap), cookie);
      ref.add(now, size, cap, cookie);
      active.push_back(cookie);
    } else if (r < 0.88) {
      const size_t i = rng() % active.size();
      const uint64_t cookie = active[i];
      const double expected = ref.remove(now, cookie);
      // Relative 1e-6; the 1e-7 B floor (1e-9 of a typical 100 B) covers removals right after a start.
      CHECK(link.remove(s(now), slot_of[cookie]).value == Approx(expected).epsilon(1e-6).margin(1e-7));
      slot_of.erase(cookie);
      active.erase(active.begin() + static_cast<std::ptrdiff_t>(i));
      ++removals;
    } else {
      capacity = u01(rng) < 0.2 ? 0.0 : uniform(5, 150);
      outages += capacity == 0;
      link.set_capacity(s(now), bps(capacity));
      ref.set_capacity(now, capacity);
    }
    CHECK(link.throughput().value == Approx(ref.throughput()).epsilon(1e-9).margin(1e-12));
    peak = std::max(peak, active.size());
  }
  if (capacity == 0) {
    link.set_capacity(s(now), bps(100));
    ref.set_capacity(now, 100);
  }
  settle(kInf);

  // The run must actually exercise what it claims to.
  CHECK(peak >= 100);
  CHECK(removals >= 20);
  CHECK(outages >= 1);
  REQUIRE(link_finish.size() == ref_finish.size());
  for (const auto& [cookie, t] : ref_finish) {
    CAPTURE(cookie);
    REQUIRE(link_finish.count(cookie) == 1);
    CHECK(link_finish[cookie] == Approx(t).epsilon(1e-9));
  }
}
