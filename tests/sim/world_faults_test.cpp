// Specification of the World's faults (sim/model/world.cpp) and of run determinism, on the exact
// single-device timeline of tests/test_scenarios.hpp: notified 1 s, bytes flow from 4 s at
// 1000 B/s, download ends 14 s, verify 5, install 7, reboot 11, health check 13 → finished 50 s.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "reports/result_writers.hpp"
#include "tests/test_scenarios.hpp"

using namespace fleetsim;
using namespace fleetsim::testing;

namespace {
constexpr double kEps = 1e-6;

void add_region(Doc& doc, const std::string& name) {
  doc["regions"][name] = Doc{{"rtt", "2s"}};
  doc["platform"]["cdn"]["regions"][name] = Doc{{"egress", "1GB/s"}};
}

Doc single_bank_model() {
  Doc m = minimal_model();
  m["storage"]["layout"] = "single";
  return m;
}
}  // namespace

TEST_CASE("a region outage drops transfers in that region only and they resume after it", "[faults]") {
  // Device 0 in r, device 1 in s. Outage of r from 9 s for 95 s (until 104). backoff_cap = base =
  // 10 s, so every retry waits 10 s. Device 0 is dropped at 9 s with 5000 B done (bytes since 4 s);
  // its check-ins at 19, 29, …, 99 fail (region offline), the one at 109 succeeds: bytes from 112,
  // the remaining 5000 B (resume) → download ends 117 — 103 s later than 14: the outage 95 s, 5 s
  // to the next retry, 3 s of latency. Device 1 in s is undisturbed: ends at 14.
  Doc doc = minimal_scenario();
  add_region(doc, "s");
  add_cohort(doc, "other", "m", 1, "1.0", "s");
  doc["device_models"]["m"]["behaviour"]["retry"]["backoff_cap"] = "10s";
  doc["faults"] = Doc::parse(R"([{"kind": "region_outage", "region": "r", "at": "9s", "for": "95s"}])");
  auto run = run_scenario(doc);
  CHECK(run->trace(0).download_end == Approx(117).margin(kEps));
  CHECK(run->trace(0).attempts == 2);  // failed check-ins are not download attempts
  CHECK(run->trace(0).finished == Approx(117 + 36).margin(kEps));
  CHECK(run->state(0) == DeviceState::Updated);
  CHECK(run->trace(1).download_end == Approx(kDownloadEnd).margin(kEps));
  CHECK(run->trace(1).finished == Approx(kFinished).margin(kEps));
  CHECK(run->results.bytes_delivered == Approx(20000).margin(kEps));
  CHECK(run->results.bytes_retransmitted == 0);
}

TEST_CASE("a CDN degradation to half capacity doubles the transfer time on a saturated link", "[faults]") {
  // Region egress 1000 B/s, device downlink 1 MB/s: the link binds. Bytes flow from 4 s.
  Doc doc = minimal_scenario();
  doc["platform"]["cdn"]["regions"]["r"]["egress"] = "1000B/s";
  doc["device_models"]["m"]["link"]["downlink"] = "1MB/s";
  SECTION("degraded for the whole transfer") {
    // 10000 B at 0.5 × 1000 = 500 B/s take 20 s instead of 10: ends 4 + 20 = 24.
    doc["faults"] = Doc::parse(R"([{"kind": "cdn_degradation", "region": "r", "at": "0s", "for": "1h", "factor": 0.5}])");
    auto run = run_scenario(doc);
    CHECK(run->trace(0).download_end == Approx(24).margin(kEps));
    CHECK(run->results.regions.at(0).peak_egress_bps == Approx(500 * 8).margin(kEps));
  }
  SECTION("degraded for part of it") {
    // 5000 B by 9 s, 4 s at 500 B/s = 2000 B, then 3000 B at 1000 B/s → 13 + 3 = 16.
    doc["faults"] = Doc::parse(R"([{"kind": "cdn_degradation", "region": "r", "at": "9s", "for": "4s", "factor": 0.5}])");
    auto run = run_scenario(doc);
    CHECK(run->trace(0).download_end == Approx(16).margin(kEps));
  }
  SECTION("not degraded") {
    auto run = run_scenario(doc);
    CHECK(run->trace(0).download_end == Approx(kDownloadEnd).margin(kEps));
  }
}

TEST_CASE("an update-service brownout throttles check-ins, which succeed after it", "[faults]") {
  // Capacity 2/s; three devices check in at 1 s, in owner order (equal times).
  Doc doc = minimal_scenario(3);
  doc["platform"]["update_service"] = Doc{{"capacity", "2/s"}};
  SECTION("during a brownout to half capacity") {
    // 0 s–20 s at 2 × 0.5 = 1/s. t = 1: device 0 admitted, 1 and 2 throttled → retry at 11 (+10 s).
    // t = 11: device 1 admitted, device 2 throttled → retry at 11 + 20 = 31, after the brownout,
    // admitted. 3 throttled requests; device 2 downloads 31 → 44, finished 80.
    doc["faults"] = Doc::parse(R"([{"kind": "update_service_brownout", "at": "0s", "for": "20s", "factor": 0.5}])");
    auto run = run_scenario(doc);
    CHECK(run->results.throttled_requests == 3);
    CHECK(run->trace(0).download_start == Approx(1).margin(kEps));
    CHECK(run->trace(1).download_start == Approx(11).margin(kEps));
    CHECK(run->trace(2).download_start == Approx(31).margin(kEps));
    CHECK(run->trace(2).finished == Approx(80).margin(kEps));
    CHECK(run->count(DeviceState::Updated) == 3);
  }
  SECTION("without the brownout") {
    // t = 1: devices 0 and 1 admitted, device 2 throttled → retry at 11, admitted: 1 throttled.
    auto run = run_scenario(doc);
    CHECK(run->results.throttled_requests == 1);
    CHECK(run->trace(2).download_start == Approx(11).margin(kEps));
    CHECK(run->count(DeviceState::Updated) == 3);
  }
}

TEST_CASE("a corrupt artifact window makes exactly the downloads finishing inside it re-download", "[faults]") {
  // Cohort c: 2 devices on 1.0 with a 4000 B delta → downloads end at 4 + 4 = 8 s (before the window).
  // Cohort full: 3 devices on 0.9, full 10000 B → downloads end at 14 s, inside [10 s, 20 s): the
  // checksum fails at 19 s, they back off 10 s, re-download 29 → 42 (outside the window) and are
  // updated at 42 + 36 = 78. corrupt_downloads = 3, each throwing away 10000 B.
  Doc doc = minimal_scenario(2);
  doc["firmware"]["delta"]["1.0"] = "4000B";
  add_cohort(doc, "full", "m", 3, "0.9");
  doc["faults"] = Doc::parse(R"([{"kind": "corrupt_artifact", "region": "r", "at": "10s", "for": "10s"}])");
  auto run = run_scenario(doc);
  CHECK(run->results.corrupt_downloads == 3);
  CHECK(run->results.bytes_retransmitted == Approx(30000).margin(kEps));
  for (size_t d : {0, 1}) {
    CHECK(run->trace(d).attempts == 1);
    CHECK(run->trace(d).finished == Approx(8 + 36).margin(kEps));
  }
  for (size_t d : {2, 3, 4}) {
    CHECK(run->trace(d).attempts == 2);
    CHECK(run->trace(d).download_end == Approx(42).margin(kEps));
    CHECK(run->trace(d).finished == Approx(78).margin(kEps));
  }
  CHECK(run->count(DeviceState::Updated) == 5);
}

TEST_CASE("a re-download after a corrupt artifact respects the CDN connection limit", "[faults]") {
  // README "Scenario format": beyond max_connections a connection is refused and the device backs off.
  // max_connections 1, backoff_base 15 s, jitter 0; corrupt artifact in [5 s, 10 s).
  // Device 0 (4000 B delta) takes the connection at 1 and downloads 4 → 8 (inside the window);
  // device 1 (full 10000 B) is refused at 1, retries at 16 and holds the connection 16 → 29.
  // Device 0's checksum fails at 8 + 5 = 13; it backs off 15 s and checks in again at 28, while
  // device 1 still holds the connection: refused again, second backoff 30 s → 58, downloads
  // 61 → 65. Never more than one transfer at a time; 2 refusals.
  Doc doc = minimal_scenario(1);
  doc["firmware"]["delta"]["1.0"] = "4000B";
  add_cohort(doc, "full", "m", 1, "0.9");
  doc["platform"]["cdn"]["max_connections"] = 1;
  doc["device_models"]["m"]["behaviour"]["retry"]["backoff_base"] = "15s";
  doc["faults"] = Doc::parse(R"([{"kind": "corrupt_artifact", "region": "r", "at": "5s", "for": "5s"}])");
  auto run = run_scenario(doc);
  CHECK(run->results.corrupt_downloads == 1);
  CHECK(run->trace(1).download_end == Approx(29).margin(kEps));
  CHECK(run->results.regions.at(0).peak_concurrent == 1);
  CHECK(run->results.refused_connections == 2);
  CHECK(run->trace(0).download_end == Approx(65).margin(kEps));
}

TEST_CASE("a corrupt artifact in another region does not touch this one", "[faults]") {
  Doc doc = minimal_scenario();
  add_region(doc, "s");
  doc["faults"] = Doc::parse(R"([{"kind": "corrupt_artifact", "region": "s", "at": "10s", "for": "10s"}])");
  auto run = run_scenario(doc);
  CHECK(run->results.corrupt_downloads == 0);
  CHECK(run->trace(0).finished == Approx(kFinished).margin(kEps));
}

TEST_CASE("a bad build is caught by the canary gate: the rollout pauses and only the canary is hit", "[faults]") {
  // 10 devices; wave 0 = 1 canary with max_failure 0 (pause), wave 1 = the rest. Boot failure 100%:
  // the canary (released at the 0 s tick) rolls back at 37 s; at the 60 s tick 1/1 failed > 0 → pause.
  Doc doc = minimal_scenario(10);
  doc["rollout"] = Doc::parse(R"({"strategy": "waves", "waves": [
      {"devices": 1, "gate": {"max_failure": 0, "action": "pause"}}, {"percent": 1}]})");
  doc["faults"] = Doc::parse(R"([{"kind": "bad_build", "boot_failure": 1}])");
  auto run = run_scenario(doc);
  CHECK(run->results.rollout_state == "paused");
  CHECK(run->count(DeviceState::RolledBack) == 1);
  CHECK(run->count(DeviceState::Idle) == 9);
  CHECK(run->results.wave_tallies.at(1).released == 0);
  const auto& decisions = run->results.decisions;
  auto pause = std::find_if(decisions.begin(), decisions.end(), [](const Decision& d) { return d.action == "pause"; });
  REQUIRE(pause != decisions.end());
  CHECK(pause->at.value == 60);
  CHECK(pause->wave == 0);
}

TEST_CASE("without a failure gate a bad build reaches the whole fleet", "[faults]") {
  // Default gate: no min_success, so wave 0 passes once its device is done (failed or not) at the
  // 60 s tick, and wave 1 releases the other 9, which roll back too.
  Doc doc = minimal_scenario(10);
  doc["rollout"] = Doc::parse(R"({"strategy": "waves", "waves": [{"devices": 1}, {"percent": 1}]})");
  doc["faults"] = Doc::parse(R"([{"kind": "bad_build", "boot_failure": 1}])");
  auto run = run_scenario(doc);
  CHECK(run->count(DeviceState::RolledBack) == 10);
}

TEST_CASE("a bad build from a later time spares installs that booted before it", "[faults]") {
  // Boot failure is drawn at the end of the install (26 s): a bad build from 30 s is too late.
  Doc doc = minimal_scenario();
  doc["faults"] = Doc::parse(R"([{"kind": "bad_build", "boot_failure": 1, "at": "30s"}])");
  auto run = run_scenario(doc);
  CHECK(run->state(0) == DeviceState::Updated);
}

TEST_CASE("a power loss while devices install bricks single-bank ones and rolls A/B ones back", "[faults]") {
  // Delta devices (1.0, 4000 B): download ends 8 s, verify → 13, install 13 → 20.
  // Full-image device (0.9): download ends 14, verifying until 19, installs 19 → 26.
  // Power loss at 16 s hits the installing delta devices only: A/B → rolled_back, single → bricked.
  Doc doc = minimal_scenario();
  doc["firmware"]["delta"]["1.0"] = "4000B";
  doc["device_models"]["s"] = single_bank_model();
  add_cohort(doc, "single-delta", "s", 1, "1.0");
  add_cohort(doc, "single-full", "s", 1, "0.9");
  doc["faults"] = Doc::parse(R"([{"kind": "power_loss", "at": "16s"}])");
  auto run = run_scenario(doc);
  CHECK(run->state(0) == DeviceState::RolledBack);
  CHECK(run->trace(0).finished == Approx(16).margin(kEps));
  CHECK(run->state(1) == DeviceState::Bricked);
  CHECK(run->trace(1).finished == Approx(16).margin(kEps));
  CHECK(run->state(2) == DeviceState::Updated);
  CHECK(run->trace(2).finished == Approx(kFinished).margin(kEps));
}

namespace {
// A scenario that exercises every random stream: drawn link rates and rtts, phase distributions,
// flaky links, polls with jitter, random failures, a shared link that binds, and faults.
Doc random_scenario(uint64_t seed) {
  Doc doc = minimal_scenario(300);
  doc["seed"] = seed;
  doc["duration"] = "6h";
  doc["platform"]["cdn"]["regions"]["r"]["egress"] = "200kB/s";
  doc["device_models"]["m"] = Doc::parse(R"({
    "link": {"type": "lte-m", "downlink": {"dist": "lognormal", "median": "5kB/s", "p95": "20kB/s"},
             "rtt": {"dist": "uniform", "min": "100ms", "max": "2s"},
             "flakiness": {"mean_good": "10m", "mean_bad": "1m", "bad_state": "stall"}},
    "storage": {"layout": "ab"},
    "phases": {"verify": {"dist": "uniform", "min": "1s", "max": "5s"}, "install": {"dist": "exponential", "mean": "20s"},
               "reboot": {"dist": "normal", "mean": "30s", "stddev": "5s"}, "health_check": "1m"},
    "failures": {"corruption": "5%", "install_failure": "2%"},
    "behaviour": {"notification": "poll", "poll_interval": "30m", "poll_jitter": "5m"}
  })");
  doc["fleet"]["cohorts"][0]["firmware"] = Doc{{"1.0", 0.7}, {"0.9", 0.3}};
  doc["firmware"]["size"] = "1MB";
  doc["firmware"]["delta"]["1.0"] = "200kB";
  doc["firmware"]["boot_failure"] = "1%";
  doc["faults"] = Doc::parse(R"([{"kind": "region_outage", "region": "r", "at": "40m", "for": "10m"}])");
  return doc;
}
}  // namespace

TEST_CASE("two runs with the same seed give identical outputs and another seed different ones", "[faults]") {
  auto a = run_scenario(random_scenario(7));
  auto b = run_scenario(random_scenario(7));
  auto c = run_scenario(random_scenario(8));
  REQUIRE(a->count(DeviceState::Updated) > 0);  // the scenario does something worth comparing
  CHECK(summary_json(a->results) == summary_json(b->results));
  CHECK(timeseries_csv(a->results) == timeseries_csv(b->results));
  CHECK(devices_csv(a->results) == devices_csv(b->results));
  CHECK(summary_json(a->results) != summary_json(c->results));
  CHECK(timeseries_csv(a->results) != timeseries_csv(c->results));
  CHECK(devices_csv(a->results) != devices_csv(c->results));
}

TEST_CASE("overlapping brownouts compound and end independently", "[faults]") {
  // Capacity 1000/s; a brownout ×0 for 1 h and a brownout ×0.5 for the first minute overlap.
  // When the short one ends the long one still holds capacity at 0: no check-in succeeds
  // before 3600 s, so the device is notified only after the long brownout ends.
  Doc doc = minimal_scenario(1);
  doc["duration"] = "3h";
  doc["platform"]["update_service"]["capacity"] = "1000/s";
  doc["faults"] = Doc::parse(R"([
      {"kind": "update_service_brownout", "at": "0s", "for": "1h", "factor": 0},
      {"kind": "update_service_brownout", "at": "0s", "for": "1m", "factor": 0.5}])");
  auto run = run_scenario(doc);
  CHECK(run->trace(0).notified > 3600);
  CHECK(run->results.throttled_requests > 0);
  CHECK(run->count(DeviceState::Updated) == 1);
}

TEST_CASE("a request rate below one per second still admits requests", "[faults]") {
  // 30/min = 0.5/s with a burst of one token: two devices checking in at 1 s get one admission
  // now and one after backing off (10 s, jitter 0): both update.
  Doc doc = minimal_scenario(2);
  doc["platform"]["update_service"]["capacity"] = "30/min";
  auto run = run_scenario(doc);
  CHECK(run->count(DeviceState::Updated) == 2);
  CHECK(run->results.throttled_requests == 1);
}

TEST_CASE("the capacity in the time series follows outages, degradations and brownouts", "[faults][timeseries]") {
  // Region r: 1 GB/s = 8e9 bit/s, degraded × 0.25 from 10 m to 20 m (2e9 bit/s) and × 0.5 from
  // 15 m to 30 m (compounding to 1e9 bit/s from 15 m to 20 m, 4e9 until 30 m). Region q: 1 GB/s,
  // down from 5 m to 8 m (0). Update service: 100/s, browned out to 40 % from 10 m to 20 m (40/s).
  // Samples every minute: the value at t is the capacity in force then.
  Doc doc = minimal_scenario(1);
  add_region(doc, "q");
  doc["regions"]["r"]["degradations"] = Doc::parse(R"([{"at": "10m", "for": "10m", "factor": 0.25},
                                                       {"at": "15m", "for": "15m", "factor": 0.5}])");
  doc["regions"]["q"]["outages"] = Doc::parse(R"([{"at": "5m", "for": "3m"}])");
  doc["platform"]["update_service"] = Doc{{"capacity", "100/s"}};
  doc["faults"] = Doc::parse(R"([{"kind": "update_service_brownout", "at": "10m", "for": "10m", "factor": 0.4}])");
  const auto run = run_scenario(doc);
  auto at = [&](double minutes) -> const TimeseriesRow& {
    for (const TimeseriesRow& row : run->results.timeseries)
      if (row.t == minutes * 60) return row;
    FAIL("no sample at " << minutes << " m");
    return run->results.timeseries.front();
  };
  struct Expect {
    double minutes, r_bps, q_bps, update_per_s;
  };
  for (const Expect& e : std::vector<Expect>{{0, 8e9, 8e9, 100},
                                             {6, 8e9, 0, 100},
                                             {9, 8e9, 8e9, 100},
                                             {12, 2e9, 8e9, 40},
                                             {17, 1e9, 8e9, 40},
                                             {25, 4e9, 8e9, 100},
                                             {35, 8e9, 8e9, 100}}) {
    INFO("t = " << e.minutes << " m");
    const TimeseriesRow& row = at(e.minutes);
    REQUIRE(row.capacity_bps.size() == 2);
    CHECK(row.capacity_bps[0] == Approx(e.r_bps));
    CHECK(row.capacity_bps[1] == Approx(e.q_bps).margin(1e-6));
    CHECK(row.update_capacity_per_s == Approx(e.update_per_s));
  }
  // The CSV carries them under the region's name.
  const std::string csv = timeseries_csv(run->results);
  const std::string header = csv.substr(0, csv.find('\n'));
  CHECK(header.find(",capacity_bps_r,") != std::string::npos);
  CHECK(header.find(",capacity_bps_q,") != std::string::npos);
  CHECK(header.find(",update_capacity_per_s,") != std::string::npos);
}
