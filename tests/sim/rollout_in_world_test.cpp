// Rollout behaviour that needs the whole World: maintenance windows in cohort local time, rate
// limits spreading releases over the tick, the rollback action, and what an abort or rollback
// cancels (AWS IoT Jobs CancelJob, with and without force).
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

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

namespace {

// Nine devices released together at t = 0 by an all-at-once rollout whose abort criterion
// (any failure, threshold 0, min_executed 1) fires with `action` at the tick at 60 s:
//  - device 0 (cohort "c", model "m", which never boots the target): notified 1 s, download
//    4 → 14 s, verify 5, install 7, reboot 11 → rolled back at 37 s: 1 failure of 1 executed;
//  - devices 1–3 (cohort "slow", model "s": "m" with a 10 B/s downlink and a target that boots):
//    notified 1 s, bytes from 4 s, 10000 B / 10 B/s → download ends 1004 s, verify → 1009,
//    install → 1016, reboot → 1027, health check → 1040 s updated; at 60 s they are downloading
//    (in progress) with (60 − 4) × 10 = 560 B each;
//  - devices 4–8 (cohort "dark", model "m", region "d" down from 0 to 2 h): each check-in fails
//    and backs off (10, 20, 40 … s, the first retry after 2 h at 8711 s), so at 60 s none has
//    picked the job up (queued). Were they not cancelled, they would download after the
//    outage and roll back too.
Doc abort_scenario(const std::string& action) {
  Doc doc = minimal_scenario(1);
  doc["duration"] = "3h";
  doc["regions"]["d"] = Doc::parse(R"({"rtt": "2s", "outages": [{"at": "0s", "for": "2h"}]})");
  doc["platform"]["cdn"]["regions"]["d"]["egress"] = "1GB/s";
  doc["device_models"]["s"] = minimal_model();
  doc["device_models"]["s"]["link"]["downlink"] = "10B/s";
  add_cohort(doc, "slow", "s", 3);
  add_cohort(doc, "dark", "m", 5, "1.0", "d");
  doc["firmware"]["boot_failure"] = Doc{{"m", 1}};
  doc["rollout"]["abort"] = Doc::array({{{"failure", "any"}, {"threshold", 0}, {"min_executed", 1},
                                         {"action", action}}});
  return doc;
}

}  // namespace

TEST_CASE("an abort cancels the executions not picked up yet and lets those in progress finish",
          "[rollout][abort]") {
  auto run = run_scenario(abort_scenario("abort"));
  CHECK(run->results.rollout_state == "aborted");
  CHECK(run->count(DeviceState::RolledBack) == 1);  // device 0 only: the dark cohort never downloads
  CHECK(run->count(DeviceState::Updated) == 3);     // the slow cohort was in progress
  CHECK(run->count(DeviceState::Canceled) == 5);
  for (uint32_t d = 4; d < 9; ++d) {
    INFO("device " << d);
    CHECK(run->state(d) == DeviceState::Canceled);
    CHECK(run->trace(d).notified < 0);
    CHECK(run->trace(d).bytes == 0);
    CHECK(run->trace(d).finished == Approx(60).margin(kEps));
  }
  CHECK(run->trace(1).finished == Approx(1040).margin(kEps));
  // 9 targeted: 4 executed, none pending, the 5 cancelled are held back.
  CHECK(run->metric("devices.pending") == 0);
  CHECK(run->metric("devices.held_back") == 5);
  CHECK(run->metric("devices.excluded") == 0);
  CHECK(run->metric("bytes.delivered") == Approx(4 * 10000));
}

TEST_CASE("abort-force also cancels the executions in progress", "[rollout][abort]") {
  auto run = run_scenario(abort_scenario("abort-force"));
  CHECK(run->results.rollout_state == "aborted");
  CHECK(run->count(DeviceState::RolledBack) == 1);
  CHECK(run->count(DeviceState::Updated) == 0);
  CHECK(run->count(DeviceState::Canceled) == 8);
  for (uint32_t d = 1; d < 4; ++d) {
    INFO("device " << d);
    CHECK(run->trace(d).bytes == 560);  // cut at 60 s
    CHECK(run->trace(d).finished == Approx(60).margin(kEps));
  }
  CHECK(run->metric("devices.held_back") == 8);
  CHECK(run->metric("bytes.delivered") == Approx(10000 + 3 * 560));
  CHECK(run->world->count(DeviceState::Downloading) == 0);  // the cancelled transfers closed
}

TEST_CASE("a rollback cancels the queued executions and sends back the devices that updated",
          "[rollout][rollback][abort]") {
  // The slow cohort updates at 1040 s after the rollback fired, so each is sent back at once:
  // notified 1041, bytes from 1044, 10000 B at 10 B/s → 2044, verify and install → 2056, reboot
  // → 2067, health check → 2080 s reverted.
  auto run = run_scenario(abort_scenario("rollback"));
  CHECK(run->results.rollout_state == "rolled_back");
  CHECK(run->count(DeviceState::Canceled) == 5);
  CHECK(run->count(DeviceState::Reverted) == 3);
  CHECK(run->trace(1).finished == Approx(2080).margin(kEps));
  CHECK(run->results.on_target == 0);

  auto forced = run_scenario(abort_scenario("rollback-force"));
  CHECK(forced->results.rollout_state == "rolled_back");
  CHECK(forced->count(DeviceState::Canceled) == 8);
  CHECK(forced->count(DeviceState::Reverted) == 0);
  CHECK(forced->trace(1).finished == Approx(60).margin(kEps));
}

TEST_CASE("devices the filter excludes and devices the rollout holds back are told apart",
          "[rollout][metrics]") {
  // Cohorts in order: device 0 ("c", model "bad": never boots, tag x), device 1 ("c2", tag x),
  // devices 2–3 ("other", no tag). The filter keeps tag x: 2 targeted, 2 excluded. Waves of one
  // device each with gate max_failure 0 → pause: device 0 rolls back at 37 s, the tick at 60 s
  // pauses, and device 1 is never released: held back.
  Doc doc = minimal_scenario(1);
  doc["device_models"]["bad"] = minimal_model();
  doc["fleet"]["cohorts"][0]["model"] = "bad";
  doc["fleet"]["cohorts"][0]["tags"] = Doc::array({"x"});
  add_cohort(doc, "c2", "m", 1);
  doc["fleet"]["cohorts"][1]["tags"] = Doc::array({"x"});
  add_cohort(doc, "other", "m", 2);
  doc["firmware"]["boot_failure"] = Doc{{"bad", 1}};
  doc["rollout"] = Doc::parse(R"({"strategy": "waves", "order": "cohort", "filter": {"tags": ["x"]},
      "waves": [{"devices": 1}, {"devices": 1}], "gates": {"max_failure": 0, "action": "pause"}})");
  auto run = run_scenario(doc);
  CHECK(run->results.rollout_state == "paused");
  CHECK(run->metric("devices.excluded") == 2);
  CHECK(run->metric("devices.held_back") == 1);
  CHECK(run->results.excluded == 2);
  CHECK(run->results.held_back == 1);

  const nlohmann::json summary = nlohmann::json::parse(summary_json(run->results));
  CHECK(summary["devices"]["excluded"] == 2);
  CHECK(summary["devices"]["held_back"] == 1);

  // devices.csv: the outcome is the last column.
  std::istringstream csv(devices_csv(run->results));
  std::vector<std::string> outcomes;
  for (std::string line; std::getline(csv, line);) outcomes.push_back(line.substr(line.rfind(',') + 1));
  CHECK(outcomes == std::vector<std::string>{"outcome", "rolled_back", "held_back", "excluded", "excluded"});

  // timeseries.csv: held_back is 1 from the pause on (the last row).
  std::istringstream ts(timeseries_csv(run->results));
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(ts, line);) {
    std::vector<std::string> cells;
    std::stringstream ls(line);
    for (std::string cell; std::getline(ls, cell, ',');) cells.push_back(cell);
    rows.push_back(cells);
  }
  const auto& header = rows.front();
  const size_t col = size_t(std::find(header.begin(), header.end(), "held_back") - header.begin());
  REQUIRE(col < header.size());
  CHECK(rows.back()[col] == "1");
}

TEST_CASE("devices.csv gives the release, the pickup and the wait between them") {
  // The minimal scenario's push device with the rollout starting at 600 s: released at the
  // first controller tick, t = 600 s; it learns of the job half the region's 2 s round trip later,
  // t = 601 s (tests/test_scenarios.hpp), so it waited 1 s between release and pickup.
  testing::Doc doc = testing::minimal_scenario(1);
  doc["rollout"]["start"] = "10m";
  const auto run = testing::run_scenario(doc);
  std::istringstream csv(devices_csv(run->results));
  std::string header, row;
  std::getline(csv, header);
  std::getline(csv, row);
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    std::stringstream s(line);
    for (std::string c; std::getline(s, c, ',');) cells.push_back(c);
    return cells;
  };
  const std::vector<std::string> names = split(header), values = split(row);
  auto cell = [&](const std::string& name) {
    const size_t i = size_t(std::find(names.begin(), names.end(), name) - names.begin());
    REQUIRE(i < values.size());
    return std::stod(values[i]);
  };
  CHECK(cell("released_s") == Approx(600));
  CHECK(cell("notified_s") == Approx(601));
  CHECK(cell("pickup_wait_s") == Approx(1));
}
