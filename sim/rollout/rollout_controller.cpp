#include "sim/rollout/rollout_controller.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace fleetsim {

const char* to_string(GateAction a) { return kGateActionNames[size_t(a)]; }

namespace {
const char* failure_name(FailureType t) {
  switch (t) {
    case FailureType::Any: return "any";
    case FailureType::Failed: return "failed";
    case FailureType::TimedOut: return "timed_out";
    case FailureType::Bricked: return "bricked";
    case FailureType::RolledBack: return "rolled_back";
  }
  return "?";
}

std::string pct(double f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%%", f * 100.0);
  return buf;
}
}  // namespace

std::vector<int64_t> wave_ends(const Rollout& rollout, int64_t eligible) {
  std::vector<int64_t> ends;
  if (rollout.strategy == Strategy::AllAtOnce || rollout.waves.empty()) {
    ends.push_back(eligible);
    return ends;
  }
  int64_t prev = 0;
  for (const Wave& w : rollout.waves) {
    int64_t end = prev;
    if (w.devices) end = prev + *w.devices;
    else if (w.percent) end = int64_t(std::llround(*w.percent * double(eligible)));
    end = std::clamp(end, prev, eligible);
    ends.push_back(end);
    prev = end;
  }
  return ends;
}

RolloutController::RolloutController(const Rollout& rollout, int64_t eligible)
    : rollout_(rollout), ends_(wave_ends(rollout, eligible)), outcomes_(ends_.size()) {
  for (size_t w = 0; w < ends_.size(); ++w) outcomes_[w].size = wave_size(int(w));
}

Seconds RolloutController::soak_of(int w) const {
  if (rollout_.strategy == Strategy::Waves && size_t(w) < rollout_.waves.size()) return rollout_.waves[w].soak;
  return Seconds(0);
}

const Gate& RolloutController::gate_of(int w) const {
  if (rollout_.strategy == Strategy::Waves && size_t(w) < rollout_.waves.size() && rollout_.waves[w].gate)
    return *rollout_.waves[w].gate;
  return rollout_.gates;
}

double RolloutController::rate_per_minute(const FleetTally& tally) const {
  if (rollout_.rate) {
    const ExponentialRate& r = *rollout_.rate;
    int64_t basis = r.after_notified > 0 ? tally.notified : tally.succeeded;
    int64_t step = r.after_notified > 0 ? r.after_notified : r.after_succeeded;
    double k = step > 0 ? std::floor(double(basis) / double(step)) : 0.0;
    double rate = r.base_per_minute * std::pow(r.increment_factor, k);
    double cap = r.max_per_minute > 0 ? r.max_per_minute : rollout_.max_per_minute;
    return cap > 0 ? std::min(rate, cap) : rate;
  }
  return rollout_.max_per_minute;
}

void RolloutController::fire(Seconds now, GateAction action, std::string reason, ReleasePlan& plan) {
  decisions_.push_back({now, to_string(action), wave_, std::move(reason)});
  if (wave_ >= 0) outcomes_[wave_].result = "failed";
  switch (action) {
    case GateAction::Pause: state_ = RolloutState::Paused; break;
    case GateAction::Abort:
    case GateAction::AbortForce: state_ = RolloutState::Aborted; break;
    case GateAction::Rollback:
    case GateAction::RollbackForce:
      state_ = RolloutState::RolledBack;
      plan.start_rollback = true;
      break;
  }
  plan.cancel_queued = action != GateAction::Pause;
  plan.cancel_in_progress = cancels_in_progress(action);
}

void RolloutController::start_wave(Seconds now, int w) {
  wave_ = w;
  phase_ = Phase::Releasing;
  outcomes_[w].started = now;
  outcomes_[w].result = "running";
  decisions_.push_back({now, "wave_start", w,
                        "wave " + std::to_string(w) + ": " + std::to_string(wave_size(w)) + " devices"});
}

ReleasePlan RolloutController::on_tick(Seconds now, const FleetTally& tally) {
  ReleasePlan plan;
  if (state_ != RolloutState::Scheduled && state_ != RolloutState::Running) return plan;
  if (now < rollout_.start) return plan;
  if (state_ == RolloutState::Scheduled) {
    state_ = RolloutState::Running;
    decisions_.push_back({now, "start", -1, "rollout starts"});
    start_wave(now, 0);
  }

  // Global abort criteria (AWS IoT Jobs): each criterion on its own.
  for (const AbortCriterion& c : rollout_.abort) {
    if (tally.executed < c.min_executed || tally.executed == 0) continue;
    double share = double(tally.failures[size_t(c.failure)]) / double(tally.executed);
    if (share > c.threshold) {
      fire(now, c.action,
           std::string("abort criterion: ") + failure_name(c.failure) + " " + pct(share) + " of " +
               std::to_string(tally.executed) + " executed > " + pct(c.threshold), plan);
      return plan;
    }
  }

  // Walk the wave state machine; a passed wave starts the next one within the same tick.
  for (;;) {
    const int w = wave_;
    const Gate& g = gate_of(w);
    const WaveTally t = size_t(w) < tally.waves.size() ? tally.waves[w] : WaveTally{};
    // Withdrawn devices (their HIL board failed for infrastructure reasons) leave the gate's
    // denominator: they say nothing about the firmware. A wave of only withdrawn devices has
    // nothing to judge and passes, like an empty wave.
    const int64_t size = wave_size(w) - t.withdrawn;
    if (size > 0 && g.max_failure && double(t.failed) / double(size) > *g.max_failure) {
      fire(now, g.action,
           "wave " + std::to_string(w) + " error condition: " + std::to_string(t.failed) + " of " +
               std::to_string(size) + " failed (" + pct(double(t.failed) / double(size)) + ") > " +
               pct(*g.max_failure), plan);
      return plan;
    }
    if (phase_ == Phase::Releasing && t.released >= wave_size(w)) {
      phase_ = Phase::Running;
      outcomes_[w].released = now;
    }
    if (phase_ == Phase::Running) {
      bool all_done = t.succeeded + t.failed >= size;
      bool success = g.min_success ? size == 0 || double(t.succeeded) / double(size) >= *g.min_success
                                   : all_done;
      if (success) {
        outcomes_[w].succeeded = now;
        outcomes_[w].result = "soaking";
        phase_ = Phase::Soaking;
        soak_until_ = now + soak_of(w);
      } else if (all_done) {
        fire(now, g.action,
             "wave " + std::to_string(w) + " success condition not met: " + std::to_string(t.succeeded) +
                 " of " + std::to_string(size) + " succeeded (" +
                 pct(size ? double(t.succeeded) / double(size) : 1.0) + ") < " + pct(*g.min_success), plan);
        return plan;
      }
    }
    if (phase_ == Phase::Soaking && now >= soak_until_) {
      outcomes_[w].passed = now;
      outcomes_[w].result = "passed";
      decisions_.push_back({now, "wave_passed", w,
                            "wave " + std::to_string(w) + ": " + std::to_string(t.succeeded) + " of " +
                                std::to_string(size) + " succeeded, " + std::to_string(t.failed) + " failed"});
      if (w + 1 >= wave_count()) {
        state_ = RolloutState::Completed;
        decisions_.push_back({now, "complete", w, "all waves passed"});
        return plan;
      }
      start_wave(now, w + 1);
      continue;
    }
    break;
  }

  if (phase_ != Phase::Releasing) return plan;
  const WaveTally t = size_t(wave_) < tally.waves.size() ? tally.waves[wave_] : WaveTally{};
  int64_t want = wave_size(wave_) - t.released;
  double rate = rate_per_minute(tally);
  if (rate > 0) {
    // Unused credit is not banked; capping it at what the wave still needs also keeps an
    // uncapped exponential ramp from overflowing.
    credit_ = std::min((credit_ - std::floor(credit_)) + rate * rollout_.tick.value / 60.0, double(want) + 1.0);
    want = std::min<int64_t>(want, int64_t(std::floor(credit_)));
  }
  if (rollout_.max_concurrent > 0)
    want = std::min<int64_t>(want, std::max<int64_t>(0, rollout_.max_concurrent - tally.in_progress));
  plan.wave = wave_;
  plan.count = std::max<int64_t>(0, want);
  return plan;
}

void RolloutController::commit(int64_t released) { credit_ -= double(released); }

}  // namespace fleetsim
