#include <catch2/catch.hpp>

#include "sim/model/epoch_quota.hpp"

using fleetsim::EpochQuota;

TEST_CASE("the first epoch splits a limit by the prior weights", "[quota]") {
  // 1000 connections, regions with 600k / 300k / 100k devices → 600 / 300 / 100.
  EpochQuota q(1000, {600000, 300000, 100000});
  CHECK(q.whole(0) == 600);
  CHECK(q.whole(1) == 300);
  CHECK(q.whole(2) == 100);
  CHECK(q.amount(1) == Approx(300.0));
}

TEST_CASE("whole shares use the largest remainder and add up to the total", "[quota]") {
  // 10 units over equal thirds: 3.33 each → floors 3, 3, 3, one leftover to region 0 (ties by index).
  EpochQuota q(10, {1, 1, 1});
  CHECK(q.whole(0) == 4);
  CHECK(q.whole(1) == 3);
  CHECK(q.whole(2) == 3);
}

TEST_CASE("an epoch's shares are half last epoch's demand and half the prior", "[quota]") {
  // Prior 1:1 → 1/2 each. Demand 30 and 90 → 1/4 and 3/4. Shares ½·1/4 + ½·1/2 = 3/8 and
  // ½·3/4 + ½·1/2 = 5/8 of 400 → 150 and 250.
  EpochQuota q(400, {1, 1});
  q.add_demand(0, 30);
  q.add_demand(1, 90);
  q.rebalance();
  CHECK(q.whole(0) == 150);
  CHECK(q.whole(1) == 250);
  CHECK(q.share(1) == Approx(0.625));
}

TEST_CASE("a region without demand keeps half its prior share", "[quota]") {
  // Prior 1:3 → 1/4 and 3/4; all demand in region 1. Region 0: ½·0 + ½·1/4 = 1/8 of 800 = 100.
  EpochQuota q(800, {1, 3});
  q.add_demand(1, 50);
  q.rebalance();
  CHECK(q.whole(0) == 100);
  CHECK(q.whole(1) == 700);
}

TEST_CASE("an epoch without demand keeps the previous shares", "[quota]") {
  EpochQuota q(400, {1, 3});
  q.rebalance();  // no demand recorded
  CHECK(q.whole(0) == 100);
  CHECK(q.whole(1) == 300);
}

TEST_CASE("all-zero prior weights split equally", "[quota]") {
  EpochQuota q(9, {0, 0, 0});
  CHECK(q.whole(0) == 3);
  CHECK(q.whole(1) == 3);
  CHECK(q.whole(2) == 3);
}
