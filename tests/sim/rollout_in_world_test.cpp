// Rollout behaviour that needs the whole World: maintenance windows in cohort local time, rate
// limits spreading releases over the tick, and the rollback action.
#include <catch2/catch.hpp>

#include "tests/test_scenarios.hpp"

using namespace fleetsim;
using namespace fleetsim::testing;

namespace {
constexpr double kEps = 1e-6;
}

TEST_CASE("a maintenance window releases each cohort at its own local time", "[rollout][window]") {
  // Start 2026-12-01T00:00Z, window 01:00-05:00 local. Berlin is UTC+1 in December: 01:00 local
  // = 00:00Z, so its device is released at the first tick (t = 0) and notified at 1 s.
  // New York is UTC−5: 01:00 local = 06:00Z = 21600 s, so its device waits until the tick at
  // 21600 s and is notified at 21601 s.
  Doc doc = minimal_scenario(1);
  doc["start"] = "2026-12-01T00:00:00Z";
  doc["duration"] = "12h";
  doc["fleet"]["cohorts"][0]["timezone"] = "Europe/Berlin";
  add_cohort(doc, "ny", "m", 1);
  doc["fleet"]["cohorts"][1]["timezone"] = "America/New_York";
  doc["rollout"]["maintenance_window"]["local"] = "01:00-05:00";
  auto run = run_scenario(doc);
  CHECK(run->trace(0).notified == Approx(1).margin(kEps));
  CHECK(run->trace(1).notified == Approx(21601).margin(kEps));
  CHECK(run->count(DeviceState::Updated) == 2);
}

TEST_CASE("a window that crosses midnight holds devices until it opens", "[rollout][window]") {
  // Window 23:00-02:00 UTC, start at 12:00Z: the device waits 11 h = 39600 s, notified at 39601.
  Doc doc = minimal_scenario(1);
  doc["start"] = "2026-12-01T12:00:00Z";
  doc["duration"] = "24h";
  doc["rollout"]["maintenance_window"]["local"] = "23:00-02:00";
  auto run = run_scenario(doc);
  CHECK(run->trace(0).notified == Approx(39601).margin(kEps));
}

TEST_CASE("a per-minute rate limit spreads a tick's releases evenly over the tick", "[rollout][rate]") {
  // max_per_minute 4, tick 60 s: 4 devices per tick, released at 0, 15, 30, 45 s; push devices
  // are notified rtt/2 = 1 s later. The next 4 at 61, 76, 91, 106.
  Doc doc = minimal_scenario(8);
  doc["rollout"]["max_per_minute"] = 4;
  doc["rollout"]["order"] = "cohort";
  auto run = run_scenario(doc);
  std::vector<double> notified;
  for (size_t d = 0; d < 8; ++d) notified.push_back(run->trace(d).notified);
  std::sort(notified.begin(), notified.end());
  const std::vector<double> expected = {1, 16, 31, 46, 61, 76, 91, 106};
  for (size_t i = 0; i < 8; ++i) CHECK(notified[i] == Approx(expected[i]).margin(kEps));
}

TEST_CASE("the rollback action returns updated devices to their initial version", "[rollout][rollback]") {
  // Two waves of 1 device each with soak 0, gate max_failure 0 → rollback. Wave 0's device
  // updates (finished at 50 s, the controller sees it at the tick at 60 s) and wave 1 starts
  // at 60 s. Wave 1's device is in a cohort whose model always fails to boot: it reverts at
  // 60 + 1 + 13 + 12 + 11 = 97 s; the tick at 120 s sees 1 failure of 1 > 0 → rollback.
  // The rollback job re-downloads the full image (10000 B): released at 120, notified at 121,
  // finished at 170 (the default timeline shifted by 120 s): Reverted, back on 1.0.
  Doc doc = minimal_scenario(1);
  doc["device_models"]["bad"] = minimal_model();
  add_cohort(doc, "bad", "bad", 1);
  doc["firmware"]["boot_failure"] = Doc{{"bad", 1}};
  doc["rollout"] = Doc::parse(R"({"strategy": "waves", "order": "cohort",
      "waves": [{"devices": 1}, {"devices": 1}],
      "gates": {"max_failure": 0, "action": "rollback"}})");
  auto run = run_scenario(doc);
  CHECK(run->results.rollout_state == "rolled_back");
  CHECK(run->state(0) == DeviceState::Reverted);
  CHECK(run->state(1) == DeviceState::RolledBack);
  CHECK(run->trace(0).finished == Approx(170).margin(kEps));
  CHECK(run->results.on_target == 0);
  CHECK(run->results.final_versions.at(0) == 0);  // nobody left on the target
}

TEST_CASE("devices already on target count toward time-to-N from the start", "[rollout]") {
  // 3 of 4 devices start on the target: 75 % ≥ 50 % at t = 0, so time_to_50 = 0; the fourth
  // device finishes at 50 s (default timeline), so time_to_90/95/99 = 50.
  Doc doc = minimal_scenario(1);
  add_cohort(doc, "done", "m", 3, "2.0");
  auto run = run_scenario(doc);
  CHECK(run->results.time_to.at(50).value() == Approx(0));
  CHECK(run->results.time_to.at(99).value() == Approx(50).margin(kEps));
}

TEST_CASE("the first controller tick is at rollout.start", "[rollout]") {
  // start 90 s, tick 1 h: the device is released at 90 s and notified at 91 s, not an hour in.
  Doc doc = minimal_scenario(1);
  doc["rollout"]["start"] = "90s";
  doc["rollout"]["tick"] = "1h";
  auto run = run_scenario(doc);
  CHECK(run->trace(0).notified == Approx(91).margin(kEps));
}

TEST_CASE("a rollback also reverts devices that finish updating after it fired", "[rollout][rollback]") {
  // Wave 0: a bad-boot device (fails at 37 s: notified 1, download 1→14, verify 5, install 7,
  // reboot 11) and a good one with a 300 s health check (finishes at 26 + 11 + 300 = 337 s).
  // The tick at 60 s sees 1 failure of 2 > 0 → rollback. The good device updates at 337 s while
  // the rollout is rolled back, so it is sent back at once with the same model: notified 338,
  // download 338→351, verify and install → 363, reboot → 374, health check → 674 s.
  Doc doc = minimal_scenario(1);
  doc["device_models"]["bad"] = minimal_model();
  doc["device_models"]["slow"] = minimal_model();
  doc["device_models"]["slow"]["phases"]["health_check"] = "300s";
  doc["fleet"]["cohorts"][0]["model"] = "bad";
  add_cohort(doc, "slow", "slow", 1);
  doc["firmware"]["boot_failure"] = Doc{{"bad", 1}};
  doc["rollout"] = Doc::parse(R"({"strategy": "waves", "order": "cohort",
      "waves": [{"devices": 2}], "gates": {"max_failure": 0, "action": "rollback"}})");
  auto run = run_scenario(doc);
  CHECK(run->results.rollout_state == "rolled_back");
  CHECK(run->state(1) == DeviceState::Reverted);
  CHECK(run->trace(1).finished == Approx(674).margin(kEps));
  CHECK(run->results.on_target == 0);
}
