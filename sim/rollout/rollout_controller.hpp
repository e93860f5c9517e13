// The rollout controller: decides, once per epoch (the controller tick), how many devices of
// which wave are released, and whether a gate or abort criterion fires. It reads only a
// FleetTally — sums over devices that region shards can reduce with a collective — and keeps
// its own small state, so a sharded run and a single-process run decide identically.
//
// Semantics (README "Scenario format", Rollout; after the AWS IoT Jobs and Eclipse hawkBit APIs):
//  - waves: cumulative ends from "devices" (own size) or "percent" (cumulative share);
//  - success condition (hawkBit): succeeded / wave size ≥ min_success, or every device of the
//    wave finished when min_success is unset; then the wave soaks, then the next one starts;
//  - error condition (hawkBit): failed / wave size > max_failure (strict), checked every tick;
//  - a wave's size for both excludes its withdrawn devices (HIL boards lost to infrastructure);
//  - abort criteria (AWS): executed ≥ min_executed and failures of the type / executed > threshold;
//  - rate: max_per_minute, or an exponential ramp base·factor^k, k = ⌊notified (or succeeded) /
//    N⌋, capped by max_per_minute; max_concurrent bounds executions in progress.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/rollout_state.hpp"
#include "sim/scenario/scenario.hpp"

namespace fleetsim {

constexpr int kFailureTypeCount = 5;  // indexed by FailureType

struct WaveTally {
  int64_t released = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;     // final failures (after rollout-level retries)
  int64_t withdrawn = 0;  // released to a HIL board that failed for infrastructure reasons: out of the gate
};

// Sums over the fleet; every field adds up across shards.
struct FleetTally {
  int64_t notified = 0;
  int64_t succeeded = 0;
  int64_t executed = 0;       // executions that reached a final outcome
  int64_t in_progress = 0;
  int64_t canceled = 0;       // executions an abort or rollback cancelled (neither in progress nor executed)
  int64_t withdrawn = 0;      // devices withdrawn from their wave (WaveTally::withdrawn)
  std::array<int64_t, kFailureTypeCount> failures{};
  std::vector<WaveTally> waves;
};

const char* to_string(GateAction);

struct Decision {
  Seconds at{0};
  std::string action;   // start, wave_start, wave_passed, pause, abort, rollback, complete
  int wave = -1;
  std::string reason;
};

struct WaveOutcome {
  int64_t size = 0;
  std::optional<Seconds> started;
  std::optional<Seconds> released;   // last device of the wave released
  std::optional<Seconds> succeeded;  // success condition met
  std::optional<Seconds> passed;     // soak over, next wave may start
  std::string result = "not_started";  // not_started, running, soaking, passed, failed
};

struct ReleasePlan {
  int wave = -1;         // -1: release nothing
  int64_t count = 0;     // at most this many
  bool start_rollback = false;  // the rollback action fired at this tick
  // An abort or rollback fired at this tick: cancel the executions not picked up yet, and with
  // a "-force" action those in progress that can still be abandoned (GateAction).
  bool cancel_queued = false;
  bool cancel_in_progress = false;
};

class RolloutController {
 public:
  // Keeps a reference to `rollout`, which must outlive the controller.
  RolloutController(const Rollout& rollout, int64_t eligible);

  // Called at every epoch; `tally` is the fleet state at `now`.
  ReleasePlan on_tick(Seconds now, const FleetTally& tally);
  // How many of the planned devices were actually released (maintenance windows may hold some).
  void commit(int64_t released);

  RolloutState state() const { return state_; }
  int current_wave() const { return wave_; }
  int wave_count() const { return int(ends_.size()); }
  int64_t wave_size(int w) const { return ends_[w] - (w ? ends_[w - 1] : 0); }
  const std::vector<Decision>& decisions() const { return decisions_; }
  const std::vector<WaveOutcome>& waves() const { return outcomes_; }
  // Current release rate limit in devices per minute (0 = none), for reports and tests.
  double rate_per_minute(const FleetTally& tally) const;

 private:
  const Gate& gate_of(int w) const;
  Seconds soak_of(int w) const;
  void fire(Seconds now, GateAction action, std::string reason, ReleasePlan& plan);
  void start_wave(Seconds now, int w);

  const Rollout& rollout_;
  std::vector<int64_t> ends_;  // cumulative wave ends over eligible devices
  std::vector<WaveOutcome> outcomes_;
  std::vector<Decision> decisions_;
  RolloutState state_ = RolloutState::Scheduled;
  int wave_ = -1;
  enum class Phase : uint8_t { Releasing, Running, Soaking } phase_ = Phase::Releasing;
  Seconds soak_until_{0};
  double credit_ = 0.0;
};

// Cumulative wave ends for `eligible` devices (exposed for validation and tests).
std::vector<int64_t> wave_ends(const Rollout& rollout, int64_t eligible);

}  // namespace fleetsim
