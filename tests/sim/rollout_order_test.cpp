// Specification of RolloutOrder (sim/rollout/rollout_order.hpp): a bijection from release positions
// [0, M) onto the device ids of the targeted cohorts. Device ids are dense by cohort in file
// order, so cohort c owns ids [first[c], first[c] + count[c]).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/rollout/rollout_order.hpp"

namespace {

using fleetsim::Cohort;
using fleetsim::Order;
using fleetsim::Region;
using fleetsim::RolloutOrder;
using fleetsim::Scenario;

struct Fleet {
  Scenario scenario;
  std::vector<int64_t> first;   // first device id of each cohort
  std::vector<bool> targeted;

  Fleet(Order order, std::vector<std::string> regions) {
    scenario.rollout.order = order;
    for (auto& name : regions) {
      Region r;
      r.name = name;
      scenario.regions.push_back(r);
    }
  }
  void cohort(const std::string& name, int64_t count, const std::string& region, bool target = true) {
    Cohort c;
    c.name = name;
    c.count = count;
    c.region = region;
    first.push_back(scenario.device_count());
    scenario.cohorts.push_back(c);
    targeted.push_back(target);
  }
  RolloutOrder order(uint64_t seed = 1) const { return RolloutOrder(scenario, first, targeted, seed); }
};

std::vector<uint32_t> sequence(const RolloutOrder& o) {
  std::vector<uint32_t> out;
  for (int64_t p = 0; p < o.size(); ++p) out.push_back(o.device_at(p));
  return out;
}

}  // namespace

TEST_CASE("random order is a bijection onto the targeted cohorts' device ids", "[order]") {
  // Cohorts: "a" (targeted, ⌈n/2⌉ devices), "skip" (not targeted, 4), "b" (targeted, ⌊n/2⌋), so
  // the targeted ids are [0, ⌈n/2⌉) and [⌈n/2⌉ + 4, n + 4); "skip" owns [⌈n/2⌉, ⌈n/2⌉ + 4).
  const int64_t n = GENERATE(1, 2, 7, 1000, 65537);
  CAPTURE(n);
  const int64_t a = n - n / 2, b = n / 2;
  Fleet f(Order::Random, {"eu"});
  f.cohort("a", a, "eu");
  f.cohort("skip", 4, "eu", false);
  if (b > 0) f.cohort("b", b, "eu");
  RolloutOrder o = f.order(42);
  REQUIRE(o.size() == n);

  std::vector<bool> seen(size_t(n + 4), false);
  int64_t outside = 0, repeated = 0, fixed_points = 0;
  for (int64_t p = 0; p < n; ++p) {
    uint32_t id = o.device_at(p);
    bool in_a = id < uint32_t(a);
    bool in_b = id >= uint32_t(a + 4) && id < uint32_t(n + 4);
    if (!in_a && !in_b) {
      ++outside;
      continue;
    }
    if (seen[id]) ++repeated;
    seen[id] = true;
    // Identity order would put position p at id p (cohort a) or p + 4 (cohort b).
    if (id == uint32_t(p < a ? p : p + 4)) ++fixed_points;
  }
  CHECK(outside == 0);
  CHECK(repeated == 0);  // n positions, no repeat, all in a set of n ids: every id is hit once
  // From 7 devices on, the order is shuffled rather than the identity.
  if (n >= 7) CHECK(fixed_points < n);
}

TEST_CASE("cohort order releases each cohort's devices in id order, cohorts in file order", "[order]") {
  // a (3, eu) ids 0-2, b (2, us) ids 3-4, c (4, eu) ids 5-8: positions map to ids 0..8 in order.
  Fleet f(Order::Cohort, {"us", "eu"});
  f.cohort("a", 3, "eu");
  f.cohort("b", 2, "us");
  f.cohort("c", 4, "eu");
  CHECK(sequence(f.order()) == std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8});
}

TEST_CASE("region order groups cohorts by the region order, cohorts in file order within a region",
          "[order]") {
  // Regions us, eu. a (3, eu) ids 0-2, b (2, us) ids 3-4, c (4, eu) ids 5-8, d (1, us) id 9.
  // us first: b, d; then eu: a, c.
  Fleet f(Order::Region, {"us", "eu"});
  f.cohort("a", 3, "eu");
  f.cohort("b", 2, "us");
  f.cohort("c", 4, "eu");
  f.cohort("d", 1, "us");
  CHECK(sequence(f.order()) == std::vector<uint32_t>{3, 4, 9, 0, 1, 2, 5, 6, 7, 8});
}

TEST_CASE("cohorts that are filtered out never appear in cohort order", "[order]") {
  // a (3) ids 0-2, b (2, filtered out) ids 3-4, c (4) ids 5-8: 7 positions, ids 0-2 then 5-8.
  Fleet f(Order::Cohort, {"eu"});
  f.cohort("a", 3, "eu");
  f.cohort("b", 2, "eu", false);
  f.cohort("c", 4, "eu");
  RolloutOrder o = f.order();
  CHECK(o.size() == 7);
  CHECK(sequence(o) == std::vector<uint32_t>{0, 1, 2, 5, 6, 7, 8});
}

TEST_CASE("cohorts that are filtered out never appear in region order", "[order]") {
  // Regions us, eu. a (2, eu) ids 0-1, b (3, us, filtered out) ids 2-4, c (2, us) ids 5-6:
  // us first (c only), then eu (a).
  Fleet f(Order::Region, {"us", "eu"});
  f.cohort("a", 2, "eu");
  f.cohort("b", 3, "us", false);
  f.cohort("c", 2, "us");
  CHECK(sequence(f.order()) == std::vector<uint32_t>{5, 6, 0, 1});
}

TEST_CASE("the same seed gives the same random order", "[order]") {
  Fleet f(Order::Random, {"eu"});
  f.cohort("a", 1000, "eu");
  CHECK(sequence(f.order(7)) == sequence(f.order(7)));
}

TEST_CASE("a different seed gives a different random order", "[order]") {
  Fleet f(Order::Random, {"eu"});
  f.cohort("a", 1000, "eu");
  CHECK(sequence(f.order(7)) != sequence(f.order(8)));
}
