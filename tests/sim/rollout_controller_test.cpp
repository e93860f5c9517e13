// Specification of RolloutController (sim/rollout/rollout_controller.hpp: AWS IoT Jobs and hawkBit
// semantics), driven by hand: each test builds a Rollout, plays the world's part by booking
// releases, successes and failures into a FleetTally, and checks what the controller plans at each
// tick. Expected values are worked out by hand in the comments.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/rollout/rollout_controller.hpp"

namespace {

using fleetsim::FailureType;
using fleetsim::FleetTally;
using fleetsim::Gate;
using fleetsim::GateAction;
using fleetsim::ReleasePlan;
using fleetsim::Rollout;
using fleetsim::RolloutController;
using fleetsim::RolloutState;
using fleetsim::Seconds;
using fleetsim::Strategy;
using fleetsim::Wave;
using fleetsim::wave_ends;

Wave devices_wave(int64_t n, double soak = 0) {
  Wave w;
  w.devices = n;
  w.soak = Seconds(soak);
  return w;
}

Wave percent_wave(double cumulative, double soak = 0) {
  Wave w;
  w.percent = cumulative;
  w.soak = Seconds(soak);
  return w;
}

Rollout waves_rollout(std::vector<Wave> waves) {
  Rollout r;
  r.strategy = Strategy::Waves;
  r.waves = std::move(waves);
  return r;
}

// Plays the world: books what the controller plans as released (and notified at once, as a push
// model with no latency would), and lets the test finish devices by hand.
struct Fleet {
  FleetTally tally;
  int64_t total_released = 0;

  explicit Fleet(const RolloutController& c) { tally.waves.resize(size_t(c.wave_count())); }

  // One controller tick at time t; everything planned is released and committed.
  ReleasePlan tick(RolloutController& c, double t) {
    ReleasePlan p = c.on_tick(Seconds(t), tally);
    if (p.wave >= 0) release(c, p.wave, p.count);
    return p;
  }
  void release(RolloutController& c, int wave, int64_t n) {
    c.commit(n);
    tally.waves[size_t(wave)].released += n;
    tally.in_progress += n;
    tally.notified += n;
    total_released += n;
  }
  void succeed(int wave, int64_t n) {
    tally.waves[size_t(wave)].succeeded += n;
    tally.succeeded += n;
    tally.executed += n;
    tally.in_progress -= n;
  }
  void fail(int wave, int64_t n, FailureType type = FailureType::Failed) {
    tally.waves[size_t(wave)].failed += n;
    tally.failures[size_t(FailureType::Any)] += n;
    if (type != FailureType::Any) tally.failures[size_t(type)] += n;
    tally.executed += n;
    tally.in_progress -= n;
  }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

// ---- wave sizes ------------------------------------------------------------------------------

TEST_CASE("all-at-once is one wave of every eligible device, even if waves are listed", "[controller]") {
  Rollout r;
  r.strategy = Strategy::AllAtOnce;
  r.waves = {devices_wave(10)};  // ignored for all-at-once
  CHECK(wave_ends(r, 500) == std::vector<int64_t>{500});
}

TEST_CASE("devices waves add their own sizes and are clamped to the eligible count", "[controller]") {
  // 10 then 40 of 100: ends 10, 50.
  CHECK(wave_ends(waves_rollout({devices_wave(10), devices_wave(40)}), 100) == std::vector<int64_t>{10, 50});
  // 80 then 80 of 100: the second wave ends at 100, not 160.
  CHECK(wave_ends(waves_rollout({devices_wave(80), devices_wave(80)}), 100) == std::vector<int64_t>{80, 100});
}

TEST_CASE("percent waves are cumulative shares of the eligible devices, rounded", "[controller]") {
  // 5 %, 25 %, 100 % of 1000: ends 50, 250, 1000 (sizes 50, 200, 750).
  Rollout r = waves_rollout({percent_wave(0.05), percent_wave(0.25), percent_wave(1.0)});
  CHECK(wave_ends(r, 1000) == std::vector<int64_t>{50, 250, 1000});
  RolloutController c(r, 1000);
  CHECK(c.wave_size(0) == 50);
  CHECK(c.wave_size(1) == 200);
  CHECK(c.wave_size(2) == 750);
  // 33.4 % and 66.6 % of 100: round(33.4) = 33, round(66.6) = 67.
  CHECK(wave_ends(waves_rollout({percent_wave(0.334), percent_wave(0.666), percent_wave(1.0)}), 100) ==
        std::vector<int64_t>{33, 67, 100});
}

TEST_CASE("a percent wave after a devices wave ends at its cumulative share", "[controller]") {
  // 10 devices, then up to 50 % of 200 = 100, then 100 %: ends 10, 100, 200.
  Rollout r = waves_rollout({devices_wave(10), percent_wave(0.5), percent_wave(1.0)});
  CHECK(wave_ends(r, 200) == std::vector<int64_t>{10, 100, 200});
}

// ---- releases and wave progression ------------------------------------------------------------

TEST_CASE("all-at-once releases every eligible device at the first tick", "[controller]") {
  Rollout r;  // all-at-once, no rate, no concurrency cap
  RolloutController c(r, 500);
  Fleet f(c);
  CHECK(c.state() == RolloutState::Scheduled);
  ReleasePlan p = f.tick(c, 0);
  CHECK(p.wave == 0);
  CHECK(p.count == 500);
  CHECK(c.state() == RolloutState::Running);
  // Everything is out: the next tick releases nothing more.
  CHECK(f.tick(c, 60).count == 0);
}

TEST_CASE("a wave passes when min_success is met, soaks, then the next wave starts", "[controller]") {
  // Waves of 10 and 20; wave 0 soaks 300 s; min_success 80 % = 8 of 10.
  Rollout r = waves_rollout({devices_wave(10, 300), devices_wave(20)});
  r.gates.min_success = 0.8;
  RolloutController c(r, 30);
  Fleet f(c);

  CHECK(f.tick(c, 0).count == 10);  // t=0: wave 0 released whole
  f.succeed(0, 7);
  ReleasePlan p = f.tick(c, 60);    // 7/10 = 70 % < 80 %: wave 0 still running
  CHECK(p.wave == -1);
  CHECK(c.waves()[0].result == "running");
  f.succeed(0, 1);
  p = f.tick(c, 120);               // 8/10 = 80 % ≥ 80 %: success at 120, soak until 420
  CHECK(p.wave == -1);
  CHECK(c.waves()[0].result == "soaking");
  REQUIRE(c.waves()[0].succeeded);
  CHECK(c.waves()[0].succeeded->value == 120);
  CHECK(f.tick(c, 360).wave == -1);  // still soaking
  CHECK(c.current_wave() == 0);
  p = f.tick(c, 420);               // soak over: wave 0 passes, wave 1 starts and releases 20
  CHECK(c.waves()[0].result == "passed");
  CHECK(c.current_wave() == 1);
  CHECK(p.wave == 1);
  CHECK(p.count == 20);
}

TEST_CASE("with no soak the next wave starts in the tick its predecessor succeeds", "[controller]") {
  // Waves of 10 and 20, min_success 50 %: 5 successes at t=60 pass wave 0 and release wave 1 at 60.
  Rollout r = waves_rollout({devices_wave(10), devices_wave(20)});
  r.gates.min_success = 0.5;
  RolloutController c(r, 30);
  Fleet f(c);
  CHECK(f.tick(c, 0).count == 10);
  f.succeed(0, 5);
  ReleasePlan p = f.tick(c, 60);
  CHECK(p.wave == 1);
  CHECK(p.count == 20);
  REQUIRE(c.waves()[1].started);
  CHECK(c.waves()[1].started->value == 60);
}

TEST_CASE("a wave without min_success advances only when every device has finished", "[controller]") {
  // Waves of 10 and 10, no gate: 9 succeeded is not enough; 9 succeeded + 1 failed finishes wave 0.
  Rollout r = waves_rollout({devices_wave(10), devices_wave(10)});
  RolloutController c(r, 20);
  Fleet f(c);
  CHECK(f.tick(c, 0).count == 10);
  f.succeed(0, 9);
  CHECK(f.tick(c, 60).wave == -1);
  CHECK(c.current_wave() == 0);
  f.fail(0, 1);
  ReleasePlan p = f.tick(c, 120);
  CHECK(p.wave == 1);
  CHECK(p.count == 10);
  CHECK(c.state() == RolloutState::Running);
}

TEST_CASE("a wave released only in part keeps releasing even when min_success is already met", "[controller]") {
  // Wave of 100 at 40/min, min_success 10 %: after t=0 40 are out and 20 succeed (20 % of the
  // wave). Passing now would strand the 60 unreleased devices, so at t=60 it releases 40 more.
  Rollout r = waves_rollout({devices_wave(100), devices_wave(100)});
  r.gates.min_success = 0.1;
  r.max_per_minute = 40;
  RolloutController c(r, 200);
  Fleet f(c);
  CHECK(f.tick(c, 0).count == 40);
  f.succeed(0, 20);
  ReleasePlan p = f.tick(c, 60);
  CHECK(p.wave == 0);
  CHECK(p.count == 40);
}

// ---- error condition and gate actions ---------------------------------------------------------

TEST_CASE("the error condition fires only when failures strictly exceed max_failure", "[controller]") {
  // Wave of 20, max_failure 25 %: 5 failed = 25 % does not fire; 6 failed = 30 % fires the action.
  const auto [action, state, name] = GENERATE(table<GateAction, RolloutState, std::string>({
      {GateAction::Pause, RolloutState::Paused, "pause"},
      {GateAction::Abort, RolloutState::Aborted, "abort"},
      {GateAction::Rollback, RolloutState::RolledBack, "rollback"},
  }));
  CAPTURE(name);
  Rollout r = waves_rollout({devices_wave(20), devices_wave(20)});
  r.gates.max_failure = 0.25;
  r.gates.action = action;
  RolloutController c(r, 40);
  Fleet f(c);
  CHECK(f.tick(c, 0).count == 20);

  f.fail(0, 5);
  ReleasePlan p = f.tick(c, 60);
  CHECK(c.state() == RolloutState::Running);
  CHECK_FALSE(p.start_rollback);

  f.fail(0, 1);
  p = f.tick(c, 120);
  CHECK(c.state() == state);
  CHECK(p.wave == -1);
  CHECK(p.start_rollback == (action == GateAction::Rollback));
  REQUIRE_FALSE(c.decisions().empty());
  const auto& d = c.decisions().back();
  CHECK(d.action == name);
  CHECK(d.at.value == 120);
  CHECK(d.wave == 0);
  CHECK(contains(d.reason, "error condition"));
  CHECK(c.waves()[0].result == "failed");

  // Afterwards nothing is released, and a rollback is signalled only once.
  f.succeed(0, 14);
  p = f.tick(c, 180);
  CHECK(p.wave == -1);
  CHECK(p.count == 0);
  CHECK_FALSE(p.start_rollback);
  CHECK(c.state() == state);
}

TEST_CASE("the error condition is still checked while a wave soaks", "[controller]") {
  // Wave of 10, min_success 50 %, max_failure 20 %, soak 600 s. At t=60 5 succeed: soaking until 660.
  // At t=120 3 fail: 3/10 = 30 % > 20 %, so the gate pauses the rollout before wave 1 ever starts.
  Rollout r = waves_rollout({devices_wave(10, 600), devices_wave(10)});
  r.gates.min_success = 0.5;
  r.gates.max_failure = 0.2;
  RolloutController c(r, 20);
  Fleet f(c);
  f.tick(c, 0);
  f.succeed(0, 5);
  f.tick(c, 60);
  CHECK(c.waves()[0].result == "soaking");
  f.fail(0, 3);
  f.tick(c, 120);
  CHECK(c.state() == RolloutState::Paused);
  CHECK(f.tick(c, 660).wave == -1);
  CHECK(c.current_wave() == 0);
}

TEST_CASE("a wave's own gate overrides the rollout gates", "[controller]") {
  // Rollout gate max_failure 50 %; wave 0 has its own gate max_failure 10 % with abort.
  // 2 of 10 failed = 20 %: fires wave 0's gate (abort), although the rollout gate would not.
  Rollout r = waves_rollout({devices_wave(10), devices_wave(10)});
  r.gates.max_failure = 0.5;
  Gate own;
  own.max_failure = 0.1;
  own.action = GateAction::Abort;
  r.waves[0].gate = own;
  RolloutController c(r, 20);
  Fleet f(c);
  f.tick(c, 0);
  f.fail(0, 2);
  f.tick(c, 60);
  CHECK(c.state() == RolloutState::Aborted);
}

TEST_CASE("a wave that finishes below min_success fires the gate action", "[controller]") {
  // Wave of 10, min_success 90 %, action abort: 9 finished (8 ok) waits; 8 ok + 2 failed = all
  // finished at 80 % < 90 %, so the gate aborts.
  Rollout r = waves_rollout({devices_wave(10), devices_wave(10)});
  r.gates.min_success = 0.9;
  r.gates.action = GateAction::Abort;
  RolloutController c(r, 20);
  Fleet f(c);
  f.tick(c, 0);
  f.succeed(0, 8);
  f.fail(0, 1);
  f.tick(c, 60);
  CHECK(c.state() == RolloutState::Running);
  f.fail(0, 1);
  ReleasePlan p = f.tick(c, 120);
  CHECK(c.state() == RolloutState::Aborted);
  CHECK(p.wave == -1);
  CHECK(c.decisions().back().action == "abort");
  CHECK(contains(c.decisions().back().reason, "success condition not met"));
  CHECK(c.waves()[0].result == "failed");
}

// ---- AWS abort criteria -----------------------------------------------------------------------

TEST_CASE("an abort criterion waits until min_executed executions have finished", "[controller]") {
  // Criterion: any failure > 10 % once 50 have executed. 20 of 40 failed (50 %) is below min_executed.
  Rollout r;
  r.abort.push_back({FailureType::Any, 0.1, 50, GateAction::Abort});
  RolloutController c(r, 1000);
  Fleet f(c);
  f.tick(c, 0);
  f.succeed(0, 20);
  f.fail(0, 20);
  f.tick(c, 60);
  CHECK(c.state() == RolloutState::Running);
}

TEST_CASE("an abort criterion fires when the failure share strictly exceeds its threshold", "[controller]") {
  // Criterion: any failure > 10 % once 50 have executed. 5 of 50 = 10 %: no; 6 of 51 = 11.8 %: abort.
  Rollout r;
  r.abort.push_back({FailureType::Any, 0.1, 50, GateAction::Abort});
  RolloutController c(r, 1000);
  Fleet f(c);
  f.tick(c, 0);
  f.succeed(0, 45);
  f.fail(0, 5);
  f.tick(c, 60);
  CHECK(c.state() == RolloutState::Running);
  f.fail(0, 1);
  ReleasePlan p = f.tick(c, 120);
  CHECK(c.state() == RolloutState::Aborted);
  CHECK(p.wave == -1);
  CHECK(c.decisions().back().action == "abort");
  CHECK(c.decisions().back().at.value == 120);
  CHECK(contains(c.decisions().back().reason, "abort criterion"));
}

TEST_CASE("a timed_out abort criterion counts only timed-out executions", "[controller]") {
  // Criterion: timed_out > 10 %, min 1. 40 of 100 failed (not timed out): no abort.
  // Then 11 of 111 executed time out (9.9 %): no; 1 more (12 of 112 = 10.7 %): abort.
  Rollout r;
  r.abort.push_back({FailureType::TimedOut, 0.1, 1, GateAction::Abort});
  RolloutController c(r, 1000);
  Fleet f(c);
  f.tick(c, 0);
  f.succeed(0, 60);
  f.fail(0, 40, FailureType::Failed);
  f.tick(c, 60);
  CHECK(c.state() == RolloutState::Running);
  f.fail(0, 11, FailureType::TimedOut);
  f.tick(c, 120);
  CHECK(c.state() == RolloutState::Running);
  f.fail(0, 1, FailureType::TimedOut);
  f.tick(c, 180);
  CHECK(c.state() == RolloutState::Aborted);
  CHECK(contains(c.decisions().back().reason, "timed_out"));
}

TEST_CASE("an abort criterion with the rollback action starts a rollback once", "[controller]") {
  // Criterion: any failure > 50 %, min 2, rollback. 2 failed of 2 executed = 100 %.
  Rollout r;
  r.abort.push_back({FailureType::Any, 0.5, 2, GateAction::Rollback});
  RolloutController c(r, 10);
  Fleet f(c);
  f.tick(c, 0);
  f.fail(0, 2);
  ReleasePlan p = f.tick(c, 60);
  CHECK(c.state() == RolloutState::RolledBack);
  CHECK(p.start_rollback);
  CHECK(c.decisions().back().action == "rollback");
  CHECK_FALSE(f.tick(c, 120).start_rollback);
}

// ---- rate limits ------------------------------------------------------------------------------

TEST_CASE("max_per_minute with 60 s ticks releases that many each tick", "[controller]") {
  // 45/min, 200 devices: 45, 45, 45, 45, then the last 20, then nothing.
  Rollout r;
  r.max_per_minute = 45;
  RolloutController c(r, 200);
  Fleet f(c);
  std::vector<int64_t> counts;
  for (int k = 0; k < 6; ++k) counts.push_back(f.tick(c, 60.0 * k).count);
  CHECK(counts == std::vector<int64_t>{45, 45, 45, 45, 20, 0});
}

TEST_CASE("max_per_minute with 30 s ticks carries the fractional credit", "[controller]") {
  // 45/min with 30 s ticks adds 22.5 per tick: 22 (0.5 left), 23 (0 left), 22, 23, ...
  Rollout r;
  r.max_per_minute = 45;
  r.tick = Seconds(30);
  RolloutController c(r, 10000);
  Fleet f(c);
  std::vector<int64_t> counts;
  for (int k = 0; k < 6; ++k) counts.push_back(f.tick(c, 30.0 * k).count);
  CHECK(counts == std::vector<int64_t>{22, 23, 22, 23, 22, 23});
}

TEST_CASE("unused rate credit is not banked when fewer devices are released", "[controller]") {
  // 45/min, 60 s ticks: 45 planned, only 10 released (e.g. held by a maintenance window);
  // the next tick again plans 45, not 80.
  Rollout r;
  r.max_per_minute = 45;
  RolloutController c(r, 1000);
  Fleet f(c);
  ReleasePlan p = c.on_tick(Seconds(0), f.tally);
  CHECK(p.count == 45);
  f.release(c, p.wave, 10);
  CHECK(c.on_tick(Seconds(60), f.tally).count == 45);
}

TEST_CASE("the AWS exponential ramp releases 50, 100, 200, 400 per minute, one step per 1000 notified",
          "[controller]") {
  // base 50/min, factor 2, +1 step per 1000 notified, cap 1000/min; 7000 devices; notified =
  // released so far (fed by Fleet::tick). Rate at a tick = 50·2^⌊notified/1000⌋, capped at 1000:
  //   minutes  1-20 (t=0..1140):    50/min   -> 1000 notified
  //   minutes 21-30 (t=1200..1740): 100/min  -> 2000
  //   minutes 31-35 (t=1800..2040): 200/min  -> 3000
  //   minutes 36-38 (t=2100..2220): 400/min  -> 4200 (3800 < 4000 at minute 38, so still 400)
  //   minute  39    (t=2280):       800/min  -> 5000 (k = 4)
  //   minute  40    (t=2340):       1600 capped to 1000 -> 6000
  //   minute  41    (t=2400):       6400 capped to 1000 -> 7000, every device released
  //   minute  42:                   nothing left.
  Rollout r;
  fleetsim::ExponentialRate rate;
  rate.base_per_minute = 50;
  rate.increment_factor = 2;
  rate.after_notified = 1000;
  rate.max_per_minute = 1000;
  r.rate = rate;
  RolloutController c(r, 7000);
  Fleet f(c);

  std::vector<int64_t> expected;
  auto minutes = [&](int n, int64_t per_minute) { expected.insert(expected.end(), size_t(n), per_minute); };
  minutes(20, 50);
  minutes(10, 100);
  minutes(5, 200);
  minutes(3, 400);
  minutes(1, 800);
  minutes(2, 1000);
  minutes(1, 0);

  std::vector<int64_t> counts;
  for (size_t k = 0; k < expected.size(); ++k) counts.push_back(f.tick(c, 60.0 * double(k)).count);
  CHECK(counts == expected);
  CHECK(f.total_released == 7000);
}

TEST_CASE("an after_succeeded ramp steps on successes, not notifications", "[controller]") {
  // base 10/min, factor 3, +1 step per 100 succeeded, no cap. Notified is held high to show it is
  // ignored. Successes at the ticks: 0, 99, 100, 199, 200 -> 10, 10, 30, 30, 90 per minute.
  Rollout r;
  fleetsim::ExponentialRate rate;
  rate.base_per_minute = 10;
  rate.increment_factor = 3;
  rate.after_succeeded = 100;
  r.rate = rate;
  RolloutController c(r, 100000);
  FleetTally t;
  t.waves.resize(1);
  t.notified = 50000;
  std::vector<int64_t> counts;
  const int64_t succeeded[] = {0, 99, 100, 199, 200};
  for (int k = 0; k < 5; ++k) {
    t.succeeded = succeeded[k];
    ReleasePlan p = c.on_tick(Seconds(60.0 * k), t);
    counts.push_back(p.count);
    c.commit(p.count);
    t.waves[0].released += p.count;
  }
  CHECK(counts == std::vector<int64_t>{10, 10, 30, 30, 90});
}

TEST_CASE("max_concurrent caps releases by the executions in progress", "[controller]") {
  // Cap 100, 1000 devices, no rate: t=0 100 released; t=60 100 in progress -> 0;
  // t=120 30 finished (70 in progress) -> 30; t=180 more in progress than the cap -> 0, not negative.
  Rollout r;
  r.max_concurrent = 100;
  RolloutController c(r, 1000);
  Fleet f(c);
  CHECK(f.tick(c, 0).count == 100);
  CHECK(f.tick(c, 60).count == 0);
  f.succeed(0, 30);
  CHECK(f.tick(c, 120).count == 30);
  f.tally.in_progress = 120;  // e.g. rollout retries re-released devices
  CHECK(f.tick(c, 180).count == 0);
}

TEST_CASE("max_concurrent and max_per_minute together release the smaller of the two", "[controller]") {
  // 45/min and cap 30: t=0 30 (cap); 20 finish; t=60 cap leaves 20, rate allows 45 -> 20.
  Rollout r;
  r.max_per_minute = 45;
  r.max_concurrent = 30;
  RolloutController c(r, 1000);
  Fleet f(c);
  CHECK(f.tick(c, 0).count == 30);
  f.succeed(0, 20);
  CHECK(f.tick(c, 60).count == 20);
}

// ---- schedule and decision log ----------------------------------------------------------------

TEST_CASE("rollout.start delays the first release", "[controller]") {
  // start 300 s: ticks at 0..240 do nothing; the tick at 300 starts and releases all 50.
  Rollout r;
  r.start = Seconds(300);
  RolloutController c(r, 50);
  Fleet f(c);
  for (int t = 0; t < 300; t += 60) CHECK(f.tick(c, t).wave == -1);
  CHECK(c.state() == RolloutState::Scheduled);
  CHECK(c.decisions().empty());
  ReleasePlan p = f.tick(c, 300);
  CHECK(p.count == 50);
  REQUIRE_FALSE(c.decisions().empty());
  CHECK(c.decisions().front().action == "start");
  CHECK(c.decisions().front().at.value == 300);
}

TEST_CASE("the decision log records start, wave starts, passes and completion in order", "[controller]") {
  // Two waves of 5, no gates. t=0: start, wave_start 0. t=60 all 5 succeeded: wave_passed 0,
  // wave_start 1. t=120 all 5 of wave 1 succeeded: wave_passed 1, complete.
  Rollout r = waves_rollout({devices_wave(5), devices_wave(5)});
  RolloutController c(r, 10);
  Fleet f(c);
  f.tick(c, 0);
  f.succeed(0, 5);
  f.tick(c, 60);
  f.succeed(1, 5);
  f.tick(c, 120);
  CHECK(c.state() == RolloutState::Completed);

  struct Row {
    double at;
    std::string action;
    int wave;
  };
  const std::vector<Row> expected = {
      {0, "start", -1},      {0, "wave_start", 0},    {60, "wave_passed", 0},
      {60, "wave_start", 1}, {120, "wave_passed", 1}, {120, "complete", 1},
  };
  REQUIRE(c.decisions().size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(c.decisions()[i].at.value == expected[i].at);
    CHECK(c.decisions()[i].action == expected[i].action);
    CHECK(c.decisions()[i].wave == expected[i].wave);
  }
  CHECK(c.waves()[0].result == "passed");
  CHECK(c.waves()[1].result == "passed");
  // A completed rollout releases nothing more.
  CHECK(f.tick(c, 180).wave == -1);
}

TEST_CASE("withdrawn devices leave their wave's gate: the rest of the wave decides", "[controller]") {
  // Canary of 2 devices, then the rest (100 % of 10); max_failure 0, no soak. One canary device is
  // withdrawn (its HIL board was lost), the other succeeds: the gate judges 1 of 1 succeeded, so
  // the canary passes and wave 1 starts at once. Without the withdrawal, 1 + 0 < 2 finished and
  // the canary would wait for ever.
  Rollout r = waves_rollout({devices_wave(2), percent_wave(1.0)});
  r.gates.max_failure = 0.0;
  RolloutController c(r, 10);
  Fleet f(c);
  REQUIRE(f.tick(c, 0).count == 2);
  f.tally.waves[0].withdrawn = 1;
  f.tally.withdrawn = 1;
  f.tally.in_progress -= 1;
  f.succeed(0, 1);
  const ReleasePlan next = f.tick(c, 60);
  CHECK(c.waves()[0].result == "passed");
  CHECK(next.wave == 1);
  CHECK(next.count == 8);  // wave 1: 10 − 2 devices
  CHECK(c.state() == RolloutState::Running);
}

TEST_CASE("a failure among the devices left after a withdrawal still trips the gate", "[controller]") {
  // Wave of 4, max_failure 25 %: 2 withdrawn leave 2 judged; 1 failed = 50 % > 25 % fires; judged
  // over all 4 it would be 25 %, which does not.
  Rollout r = waves_rollout({devices_wave(4), percent_wave(1.0)});
  r.gates.max_failure = 0.25;
  RolloutController c(r, 10);
  Fleet f(c);
  REQUIRE(f.tick(c, 0).count == 4);
  f.tally.waves[0].withdrawn = 2;
  f.tally.withdrawn = 2;
  f.tally.in_progress -= 2;
  f.fail(0, 1);
  f.tick(c, 60);
  CHECK(c.state() == RolloutState::Paused);
  CHECK(contains(c.decisions().back().reason, "1 of 2 failed (50%)"));
}
