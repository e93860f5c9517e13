// Specification of the device update lifecycle (device-models/device_lifecycle.hpp), run as a
// whole World on the NativeKernel with a scenario-defined model whose distributions are all fixed
// and whose notification is push, so every time is exact. The default scenario and its timeline
// (notified 1, download 1 → 14, installed 26, finished 50) are derived in tests/test_scenarios.hpp.
#include <catch2/catch.hpp>

#include "tests/test_scenarios.hpp"

using namespace fleetsim;
using namespace fleetsim::testing;

namespace {
constexpr double kEps = 1e-6;
}

TEST_CASE("a single device goes notified, download, installed, finished at the hand-computed times",
          "[lifecycle]") {
  auto run = run_scenario(minimal_scenario());
  const DeviceTrace& t = run->trace(0);
  CHECK(t.notified == Approx(kNotified).margin(kEps));
  CHECK(t.download_start == Approx(kDownloadStart).margin(kEps));
  CHECK(t.download_end == Approx(kDownloadEnd).margin(kEps));
  CHECK(t.installed == Approx(kInstalled).margin(kEps));
  CHECK(t.finished == Approx(kFinished).margin(kEps));
  CHECK(t.bytes == 10000);
  CHECK(t.attempts == 1);
  CHECK(run->state(0) == DeviceState::Updated);
  CHECK(run->results.final_version.at(0) == 0);  // index 0 = the target "2.0"
  CHECK(run->results.on_target == 1);
  CHECK(run->results.bytes_delivered == Approx(10000));
  CHECK(run->results.rollout_state == "completed");
}

TEST_CASE("the image is the delta for its initial version when one is given, else the full image",
          "[lifecycle]") {
  // Cohort c starts on 1.0 (delta 4000 B), cohort full on 0.9 (no delta: 10000 B).
  // Each download takes latency 3 s + size / 1000 B/s: 3 + 4 = 7 s and 3 + 10 = 13 s.
  Doc doc = minimal_scenario();
  doc["firmware"]["delta"]["1.0"] = "4000B";
  add_cohort(doc, "full", "m", 1, "0.9");
  auto run = run_scenario(doc);
  CHECK(run->trace(0).bytes == 4000);
  CHECK(run->trace(0).download_end - run->trace(0).download_start == Approx(7).margin(kEps));
  CHECK(run->trace(1).bytes == 10000);
  CHECK(run->trace(1).download_end - run->trace(1).download_start == Approx(13).margin(kEps));
  CHECK(run->results.bytes_delivered == Approx(14000));
}

TEST_CASE("a download that is always corrupt fails after max_attempts downloads", "[lifecycle]") {
  // corruption 1, max_attempts 3. Each attempt: 3 s latency + 10 s transfer + 5 s verify = 18 s,
  // then a backoff of backoff_base = 10 s (jitter 0; the count restarts at each connection)
  // before checking in again: verify fails at 1 + 18 = 19, 29 + 18 = 47, 57 + 18 = 75 →
  // download_failed at 75.
  Doc doc = minimal_scenario();
  doc["device_models"]["m"]["failures"]["corruption"] = 1;
  auto run = run_scenario(doc);
  CHECK(run->state(0) == DeviceState::DownloadFailed);
  CHECK(run->trace(0).attempts == 3);
  CHECK(run->trace(0).finished == Approx(75).margin(kEps));
  CHECK(run->trace(0).installed == -1);
  CHECK(run->results.corrupt_downloads == 3);
  CHECK(run->results.bytes_delivered == Approx(30000));
  CHECK(run->results.bytes_retransmitted == Approx(30000));  // every corrupt image is thrown away
  CHECK(run->metric("devices.download_failed") == 1);
  CHECK(run->metric("devices.failed") == 1);
}

TEST_CASE("an install failure leaves an A/B device on its old version as install_failed", "[lifecycle]") {
  // The install ends at 26 s and fails there.
  Doc doc = minimal_scenario();
  doc["device_models"]["m"]["failures"]["install_failure"] = 1;
  auto run = run_scenario(doc);
  CHECK(run->state(0) == DeviceState::InstallFailed);
  CHECK(run->trace(0).finished == Approx(kInstalled).margin(kEps));
  CHECK(run->results.final_version.at(0) == 1);  // "1.0"
  CHECK(run->results.wave_tallies.at(0).failed == 1);
}

TEST_CASE("an install failure bricks a single-bank device", "[lifecycle]") {
  Doc doc = minimal_scenario();
  doc["device_models"]["m"]["failures"]["install_failure"] = 1;
  doc["device_models"]["m"]["storage"]["layout"] = "single";
  auto run = run_scenario(doc);
  CHECK(run->state(0) == DeviceState::Bricked);
  CHECK(run->trace(0).finished == Approx(kInstalled).margin(kEps));
  CHECK(run->metric("devices.bricked") == 1);
}

TEST_CASE("a boot failure rolls an A/B device back after the reboot", "[lifecycle]") {
  // installed 26 + reboot 11 = 37.
  Doc doc = minimal_scenario();
  doc["firmware"]["boot_failure"] = 1;
  auto run = run_scenario(doc);
  CHECK(run->state(0) == DeviceState::RolledBack);
  CHECK(run->trace(0).installed == Approx(kInstalled).margin(kEps));
  CHECK(run->trace(0).finished == Approx(37).margin(kEps));
  CHECK(run->results.final_version.at(0) == 1);
  CHECK(run->metric("devices.rolled_back") == 1);
}

TEST_CASE("a boot failure bricks a single-bank device", "[lifecycle]") {
  Doc doc = minimal_scenario();
  doc["firmware"]["boot_failure"] = 1;
  doc["device_models"]["m"]["storage"]["layout"] = "single";
  auto run = run_scenario(doc);
  CHECK(run->state(0) == DeviceState::Bricked);
  CHECK(run->trace(0).finished == Approx(37).margin(kEps));
}

TEST_CASE("a per-model boot failure applies to that model only", "[lifecycle]") {
  // Cohort c (model m) always fails to boot; cohort other (model m2, same parameters) never.
  Doc doc = minimal_scenario();
  doc["device_models"]["m2"] = minimal_model();
  add_cohort(doc, "other", "m2", 1);
  doc["firmware"]["boot_failure"] = Doc{{"m", 1}};
  auto run = run_scenario(doc);
  CHECK(run->state(0) == DeviceState::RolledBack);
  CHECK(run->state(1) == DeviceState::Updated);
}

TEST_CASE("power loss during a long install rolls an A/B device back and bricks a single-bank one",
          "[lifecycle]") {
  // power_loss_per_hour 1 over a 48 h install: P = 1 − e^(−48) rounds to exactly 1.0 in double
  // (e^(−48) ≈ 1.4e−21 < 2^−53) and every uniform draw is < 1, so power is always lost.
  // The outcome applies at the end of the install: 14 + verify 5 + 48 h = 172819 s.
  Doc doc = minimal_scenario();
  doc["duration"] = "3d";
  doc["device_models"]["m"]["failures"]["power_loss_per_hour"] = 1;
  doc["device_models"]["m"]["phases"]["install"] = "48h";
  SECTION("A/B") {
    auto run = run_scenario(doc);
    CHECK(run->state(0) == DeviceState::RolledBack);
    CHECK(run->trace(0).finished == Approx(172819).margin(kEps));
  }
  SECTION("single bank") {
    doc["device_models"]["m"]["storage"]["layout"] = "single";
    auto run = run_scenario(doc);
    CHECK(run->state(0) == DeviceState::Bricked);
    CHECK(run->trace(0).finished == Approx(172819).margin(kEps));
  }
}

TEST_CASE("a battery below its threshold defers the download by the recharge time", "[lifecycle]") {
  // Level 0.1 < threshold 0.5: deferred at notification (1 s) for 100 s, then the download starts
  // at 101 and everything after it shifts by 100 s: finished 50 + 100 = 150.
  Doc doc = minimal_scenario();
  doc["device_models"]["m"]["behaviour"]["battery"] = Doc{{"level", 0.1}, {"threshold", 0.5}, {"recharge", "100s"}};
  auto run = run_scenario(doc);
  CHECK(run->trace(0).notified == Approx(kNotified).margin(kEps));
  CHECK(run->trace(0).download_start == Approx(101).margin(kEps));
  CHECK(run->trace(0).finished == Approx(kFinished + 100).margin(kEps));
  CHECK(run->state(0) == DeviceState::Updated);
}

TEST_CASE("a battery at or above its threshold does not defer", "[lifecycle]") {
  Doc doc = minimal_scenario();
  doc["device_models"]["m"]["behaviour"]["battery"] = Doc{{"level", 0.5}, {"threshold", 0.5}, {"recharge", "100s"}};
  auto run = run_scenario(doc);
  CHECK(run->trace(0).download_start == Approx(kDownloadStart).margin(kEps));
  CHECK(run->trace(0).finished == Approx(kFinished).margin(kEps));
}

TEST_CASE("a bad link that drops fails the download when one attempt is allowed", "[lifecycle]") {
  // mean_good 1 s, mean_bad 1000 h: the stationary P(bad) = (1/1)/(1/1 + 1/3.6e6) ≈ 1 − 2.8e−7, so
  // the link is bad at the first connection attempt (1 s) and the attempt fails at once; with
  // max_attempts 1 that is the end.
  Doc doc = minimal_scenario();
  doc["device_models"]["m"]["link"]["flakiness"] = Doc{{"mean_good", "1s"}, {"mean_bad", "1000h"}, {"bad_state", "drop"}};
  doc["device_models"]["m"]["behaviour"]["retry"]["max_attempts"] = 1;
  auto run = run_scenario(doc);
  CHECK(run->state(0) == DeviceState::DownloadFailed);
  CHECK(run->trace(0).attempts == 1);
  CHECK(run->trace(0).finished == Approx(kNotified).margin(kEps));
  CHECK(run->results.bytes_delivered == 0);
}

TEST_CASE("a bad link that stalls never fails the download but lengthens it", "[lifecycle]") {
  // mean_good 2 s, mean_bad 5 s, max_attempts 1: stalls are pauses of one attempt, not new
  // attempts, so the device is updated with 1 attempt. A clean download would end at 14 s; the
  // chance that no bad period touches it (link good at 1 s, P = 0.2/0.7, and no good→bad flip in
  // 13 s, P = e^(−6.5)) is about 4e−4, so it ends later. Resume: nothing is sent twice.
  Doc doc = minimal_scenario();
  doc["device_models"]["m"]["link"]["flakiness"] = Doc{{"mean_good", "2s"}, {"mean_bad", "5s"}, {"bad_state", "stall"}};
  doc["device_models"]["m"]["behaviour"]["retry"]["max_attempts"] = 1;
  auto run = run_scenario(doc);
  CHECK(run->state(0) == DeviceState::Updated);
  CHECK(run->trace(0).attempts == 1);
  CHECK(run->trace(0).download_end > kDownloadEnd);
  CHECK(run->trace(0).finished == Approx(run->trace(0).download_end + 36).margin(kEps));  // 5 + 7 + 11 + 13
  CHECK(run->results.bytes_retransmitted == 0);
}

TEST_CASE("after a dropped download a resuming device fetches only the rest, a restarting one all of it",
          "[lifecycle]") {
  // The drop is a region outage at 9 s for 5 s. Bytes flow from 4 s at 1000 B/s: 5000 B by 9 s.
  // Backoff after the first retry: base 10 s (jitter 0) → check-in again at 19 (outage over at 14),
  // download from 19, bytes from 22.
  //   resume:  5000 B left → ends 27; delivered 5000 + 5000, nothing retransmitted.
  //   restart: 10000 B     → ends 32; delivered 5000 + 10000, the first 5000 B retransmitted.
  Doc doc = minimal_scenario();
  doc["regions"]["r"]["outages"] = Doc::parse(R"([{"at": "9s", "for": "5s"}])");
  SECTION("resume") {
    auto run = run_scenario(doc);
    CHECK(run->trace(0).download_end == Approx(27).margin(kEps));
    CHECK(run->trace(0).attempts == 2);
    CHECK(run->results.bytes_delivered == Approx(10000).margin(kEps));
    CHECK(run->results.bytes_retransmitted == 0);
    CHECK(run->state(0) == DeviceState::Updated);
  }
  SECTION("restart") {
    doc["device_models"]["m"]["link"]["resume"] = false;
    auto run = run_scenario(doc);
    CHECK(run->trace(0).download_end == Approx(32).margin(kEps));
    CHECK(run->results.bytes_delivered == Approx(15000).margin(kEps));
    CHECK(run->results.bytes_retransmitted == Approx(5000).margin(kEps));
    CHECK(run->state(0) == DeviceState::Updated);
  }
}

TEST_CASE("a device refused by the CDN retries after exactly backoff_base when jitter is 0", "[lifecycle]") {
  // CDN max_connections 1, two devices notified together at 1 s. At equal times device 0 (the
  // lower owner id) goes first and holds the connection until its download ends at 14. Device 1
  // is refused and retries after backoff_base 20 s × (1 − 0·U) = 20 → at 21 the connection is free:
  // download 21 → 21 + 13 = 34, finished 34 + 36 = 70.
  Doc doc = minimal_scenario(2);
  doc["platform"]["cdn"]["max_connections"] = 1;
  doc["device_models"]["m"]["behaviour"]["retry"]["backoff_base"] = "20s";
  auto run = run_scenario(doc);
  CHECK(run->trace(0).download_start == Approx(1).margin(kEps));
  CHECK(run->trace(1).notified == Approx(1).margin(kEps));  // the check-in itself succeeded
  CHECK(run->trace(1).download_start == Approx(21).margin(kEps));
  CHECK(run->trace(1).download_end == Approx(34).margin(kEps));
  CHECK(run->trace(1).finished == Approx(70).margin(kEps));
  CHECK(run->results.refused_connections == 1);
  CHECK(run->trace(1).attempts == 1);  // a refusal is not a download attempt
}

TEST_CASE("backoff jitter shortens the delay to between base·(1 − jitter) and base", "[lifecycle]") {
  // base 40 s, jitter 0.5: delay = 40 (1 − 0.5 U), U ∈ (0, 1) → (20, 40); refused at 1 → retry in
  // (21, 41), after device 0's download ended at 14, so it connects then.
  Doc doc = minimal_scenario(2);
  doc["platform"]["cdn"]["max_connections"] = 1;
  doc["device_models"]["m"]["behaviour"]["retry"]["backoff_base"] = "40s";
  doc["device_models"]["m"]["behaviour"]["retry"]["jitter"] = 0.5;
  auto run = run_scenario(doc);
  CHECK(run->trace(1).download_start > 21);
  CHECK(run->trace(1).download_start < 41);
  CHECK(run->results.refused_connections == 1);
}

TEST_CASE("repeated refusals double the backoff", "[lifecycle]") {
  // base 5 s, cap 1 h, jitter 0; device 0 downloads 1 → 14. Device 1 refused at 1 → +5 → 6
  // refused → +10 → 16: connected. Download 16 → 29.
  Doc doc = minimal_scenario(2);
  doc["platform"]["cdn"]["max_connections"] = 1;
  doc["device_models"]["m"]["behaviour"]["retry"]["backoff_base"] = "5s";
  auto run = run_scenario(doc);
  CHECK(run->trace(1).download_start == Approx(16).margin(kEps));
  CHECK(run->results.refused_connections == 2);
}

TEST_CASE("backoff restarts from backoff_base after a download got going", "[lifecycle]") {
  // MODEL.md: the delay after the n-th *consecutive* retry is base·2^(n−1). Device 1 is refused
  // once (1 s, retry at 21 with base 20 s) and then downloads from 21 (bytes from 24). A region
  // outage at 30 s for 2 s drops it: that is the first retry of a new run, so it waits base = 20 s
  // → 50, and downloads the remaining 10000 − 6000 B from 53 → ends 57.
  // (Device 0 is rebooting at 30 s — 26..37 — and is not affected by the outage.)
  Doc doc = minimal_scenario(2);
  doc["platform"]["cdn"]["max_connections"] = 1;
  doc["device_models"]["m"]["behaviour"]["retry"]["backoff_base"] = "20s";
  doc["regions"]["r"]["outages"] = Doc::parse(R"([{"at": "30s", "for": "2s"}])");
  auto run = run_scenario(doc);
  CHECK(run->state(0) == DeviceState::Updated);
  CHECK(run->trace(0).finished == Approx(kFinished).margin(kEps));
  CHECK(run->trace(1).download_end == Approx(57).margin(kEps));
}

TEST_CASE("an execution timeout ends a download in progress as timed_out", "[lifecycle]") {
  // Timeout 5 s from notification (1 s) → 6 s, while downloading (bytes since 4 s): 2000 B delivered.
  Doc doc = minimal_scenario();
  doc["rollout"]["execution_timeout"] = "5s";
  auto run = run_scenario(doc);
  CHECK(run->state(0) == DeviceState::TimedOut);
  CHECK(run->trace(0).finished == Approx(6).margin(kEps));
  CHECK(run->results.bytes_delivered == Approx(2000).margin(kEps));
  CHECK(run->metric("devices.timed_out") == 1);
}

TEST_CASE("an execution timeout does not interrupt an install", "[lifecycle]") {
  // Timeout 20 s from notification → 21 s, while installing (19 → 26): the install runs on.
  Doc doc = minimal_scenario();
  doc["rollout"]["execution_timeout"] = "20s";
  auto run = run_scenario(doc);
  CHECK(run->state(0) == DeviceState::Updated);
  CHECK(run->trace(0).finished == Approx(kFinished).margin(kEps));
}

TEST_CASE("rollout retries re-run a failed execution and the final failure counts once", "[lifecycle]") {
  // install_failure 1, retries.max 2: executions 1, 2, 3, each 26 s from release to the failed
  // install (released at 0, 26, 52) → final install_failed at 78 after 3 executions.
  Doc doc = minimal_scenario();
  doc["device_models"]["m"]["failures"]["install_failure"] = 1;
  doc["rollout"]["retries"] = Doc{{"max", 2}};
  auto run = run_scenario(doc);
  CHECK(run->world->device(0).executions == 3);
  CHECK(run->state(0) == DeviceState::InstallFailed);
  CHECK(run->trace(0).finished == Approx(78).margin(kEps));
  CHECK(run->trace(0).attempts == 3);  // one download per execution
  CHECK(run->results.wave_tallies.at(0).released == 1);
  CHECK(run->results.wave_tallies.at(0).failed == 1);
  CHECK(run->metric("devices.failed") == 1);
  CHECK(run->results.bytes_delivered == Approx(30000));
}

TEST_CASE("rollout retries of another failure type do not re-run the execution", "[lifecycle]") {
  Doc doc = minimal_scenario();
  doc["device_models"]["m"]["failures"]["install_failure"] = 1;
  doc["rollout"]["retries"] = Doc{{"max", 2}, {"failure", "timed_out"}};
  auto run = run_scenario(doc);
  CHECK(run->world->device(0).executions == 1);
  CHECK(run->trace(0).finished == Approx(kInstalled).margin(kEps));
}

TEST_CASE("a bricked device is not retried", "[lifecycle]") {
  Doc doc = minimal_scenario();
  doc["device_models"]["m"]["failures"]["install_failure"] = 1;
  doc["device_models"]["m"]["storage"]["layout"] = "single";
  doc["rollout"]["retries"] = Doc{{"max", 2}};
  auto run = run_scenario(doc);
  CHECK(run->world->device(0).executions == 1);
  CHECK(run->state(0) == DeviceState::Bricked);
}

TEST_CASE("a polling device is notified at its next poll, within one interval plus jitter of release",
          "[lifecycle]") {
  // Rollout start 1 h: released at the tick at 3600. Poll k is at phase + k·600 + jitter_k with
  // phase ∈ (0, 600) and jitter_k ∈ (0, 60): the next poll after 3600 lies in (3600, 3600 + 660).
  Doc doc = minimal_scenario(20);
  doc["device_models"]["m"]["behaviour"]["notification"] = "poll";
  doc["device_models"]["m"]["behaviour"]["poll_interval"] = "10m";
  doc["device_models"]["m"]["behaviour"]["poll_jitter"] = "1m";
  doc["rollout"]["start"] = "1h";
  doc["duration"] = "4h";
  auto run = run_scenario(doc);
  for (size_t d = 0; d < 20; ++d) {
    INFO("device " << d);
    CHECK(run->trace(d).notified > 3600);
    CHECK(run->trace(d).notified < 3600 + 660);
    CHECK(run->trace(d).finished == Approx(run->trace(d).notified + 49).margin(kEps));  // 50 − 1
  }
}

TEST_CASE("polls without jitter are periodic: releasing an hour later notifies six intervals later",
          "[lifecycle]") {
  // Poll k at phase + k·600 (no jitter): the next poll after 7200 is the one after 3600 plus
  // 3600 / 600 = 6 intervals, for every device.
  Doc doc = minimal_scenario(10);
  doc["device_models"]["m"]["behaviour"]["notification"] = "poll";
  doc["device_models"]["m"]["behaviour"]["poll_interval"] = "10m";
  doc["rollout"]["start"] = "1h";
  doc["duration"] = "4h";
  auto early = run_scenario(doc);
  doc["rollout"]["start"] = "2h";
  auto late = run_scenario(doc);
  for (size_t d = 0; d < 10; ++d) {
    INFO("device " << d);
    CHECK(late->trace(d).notified - early->trace(d).notified == Approx(3600).margin(kEps));
  }
}
