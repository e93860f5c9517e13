// The device update lifecycle (README "Device models"), shared by every device model:
// idle → waiting (next poll / push) → downloading ⇄ stalled → verifying → installing →
// rebooting → health check → updated, with the failure exits download-failed, corrupt →
// re-download, install-failed, boot-failed → rolled-back (A/B) or bricked (single bank),
// power loss during install, and timed-out. Each transition is counted.
//
// Randomness comes from the device's own counter-based stream, so outcomes do not depend on
// event interleaving with other devices.
#include <algorithm>
#include <cmath>

#include "sim/core/random_stream.hpp"
#include "sim/model/world.hpp"
#include "sim/model/world_events.hpp"

namespace fleetsim {

double World::draw(uint32_t d, Stream s) { return uniform01(scenario_.seed, d, s, devices_[d].rng++); }

double World::sample(uint32_t d, const Distribution& dist, Stream s) {
  if (dist.is_fixed()) return std::max(0.0, dist.a);
  double u1 = draw(d, s), u2 = draw(d, s);
  return std::max(0.0, dist.sample(u1, u2));
}

BytesPerSecond World::link_cap(uint32_t d) const {
  // A device's link rate is a fixed property: drawn from counter 0 of its own stream.
  const DeviceModel& m = *cohorts_[cohort_of(d)].model;
  double v = m.downlink.is_fixed()
                 ? m.downlink.a
                 : m.downlink.sample(uniform01(scenario_.seed, d, Stream::LinkRate, 0),
                                     uniform01(scenario_.seed, d, Stream::LinkRate, 1));
  return BytesPerSecond(std::max(1.0, v));
}

Seconds World::link_latency(uint32_t d) const {
  const CohortInfo& c = cohorts_[cohort_of(d)];
  const DeviceModel& m = *c.model;
  double rtt = m.rtt.is_fixed() ? m.rtt.a
                                : m.rtt.sample(uniform01(scenario_.seed, d, Stream::LinkRtt, 0),
                                               uniform01(scenario_.seed, d, Stream::LinkRtt, 1));
  // A request costs one round trip before the first byte arrives.
  return Seconds(std::max(0.0, rtt) + scenario_.regions[size_t(c.region)].rtt.value);
}

Bytes World::image_size(uint32_t d) const {
  const Device& dev = devices_[d];
  if (dev.rollback_job) return scenario_.firmware.size;
  auto it = scenario_.firmware.delta.find(versions_[dev.initial_version]);
  return it == scenario_.firmware.delta.end() ? scenario_.firmware.size : it->second;
}

double World::next_poll_after(uint32_t d, double t) const {
  // Poll k happens at phase + k·interval + jitter_k (jitter_k < interval, so polls stay ordered).
  const DeviceModel& m = *cohorts_[cohort_of(d)].model;
  const double interval = m.poll_interval.value;
  const double phase = uniform01(scenario_.seed, d, Stream::PollPhase, 0) * interval;
  auto poll_time = [&](int64_t k) {
    return phase + double(k) * interval +
           m.poll_jitter.value * uniform01(scenario_.seed, d, Stream::PollJitter, uint64_t(k));
  };
  int64_t k = t < phase ? 0 : int64_t(std::floor((t - phase) / interval));
  double p = poll_time(k);
  return p > t ? p : poll_time(k + 1);
}

bool World::sample_link_bad(uint32_t d, double now) {
  // Two-state continuous-time Markov chain: good→bad at rate a, bad→good at rate b.
  // P(bad at now | state s at t0) = π + (1{s bad} − π)·e^{−(a+b)(now−t0)}, π = a/(a+b).
  Device& dev = devices_[d];
  const DeviceModel& m = *cohorts_[cohort_of(d)].model;
  const double a = 1.0 / m.mean_good.value, b = 1.0 / m.mean_bad.value;
  const double pi = a / (a + b);
  double p_bad = pi;
  if (dev.link_since >= 0)
    p_bad = pi + ((dev.link_bad ? 1.0 : 0.0) - pi) * std::exp(-(a + b) * (now - double(dev.link_since)));
  dev.link_bad = draw(d, Stream::LinkState) < p_bad;
  dev.link_since = float(now);
  return dev.link_bad;
}

void World::count_attempt(uint32_t d) {
  ++devices_[d].attempts;
  if (options_.trace_devices) traces_[d].attempts = uint16_t(std::min<int>(traces_[d].attempts + 1, 65535));
}

void World::set_state(uint32_t d, DeviceState s) {
  Device& dev = devices_[d];
  --state_counts_[size_t(dev.state)];
  ++state_counts_[size_t(s)];
  dev.state = s;
}

void World::schedule_step(uint32_t d, Seconds at, uint16_t kind, uint16_t aux) {
  kernel_.schedule(at, d, kind, devices_[d].generation, aux);
}

void World::release(uint32_t d, Seconds now) {
  Device& dev = devices_[d];
  const CohortInfo& c = cohorts_[cohort_of(d)];
  if (dev.executions == 0 && !dev.rollback_job) {  // retries and rollback jobs are not new releases
    ++totals_.in_progress;
    ++wave_tallies_[dev.wave].released;
  }
  ++dev.executions;
  dev.attempts = 0;
  dev.retries = 0;
  dev.bytes_done = 0;
  dev.notified_at = -1;
  ++dev.generation;
  set_state(d, DeviceState::Waiting);
  double at;
  if (c.model->notification == Notification::Push) {
    at = now.value + scenario_.regions[size_t(c.region)].rtt.value / 2;  // job document pushed over MQTT
  } else {
    at = next_poll_after(d, now.value);
  }
  schedule_step(d, Seconds(at), event::kNotify);
}

void World::on_notify(uint32_t d, uint16_t /*aux*/) {
  Device& dev = devices_[d];
  const uint32_t ci = cohort_of(d);
  const CohortInfo& c = cohorts_[ci];
  const size_t shard = shard_of(d, ci);
  const double now = kernel_.now().value;
  if (region_down_[size_t(c.region)] > 0) {  // the check-in fails: the region is offline
    back_off(d);
    return;
  }
  if (c.model->notification == Notification::Push && dev.retries > 0 && !unlimited_connects_ &&
      !broker_[shard].admit(Seconds(now), shard_background_rate(now, true, shard))) {
    back_off(d);  // reconnect refused by the broker's connect-rate limit
    return;
  }
  ++interval_requests_;
  if (!unlimited_requests_ &&
      !update_service_[shard].admit(Seconds(now), shard_background_rate(now, false, shard))) {
    ++interval_throttled_;
    back_off(d);
    return;
  }
  if (dev.notified_at < 0) {  // first successful contact of this execution
    if (dev.executions == 1 && !dev.rollback_job) ++totals_.notified;
    dev.notified_at = float(now);
    if (options_.trace_devices && traces_[d].notified < 0) traces_[d].notified = now;
    if (scenario_.rollout.execution_timeout.value > 0)
      kernel_.schedule(Seconds(now) + scenario_.rollout.execution_timeout, d, event::kTimeout, dev.executions);
  }
  if (external_ && external_->owns(d)) {  // a board does the update; its outcome comes back later
    set_state(d, DeviceState::Installing);  // busy, holds no simulated connection, not abandonable
    ++dev.generation;
    external_->start_update(d, Seconds(now));
    return;
  }
  begin_download(d, false);
}

void World::back_off(uint32_t d) {
  Device& dev = devices_[d];
  const DeviceModel& m = *cohorts_[cohort_of(d)].model;
  dev.retries = uint8_t(std::min(dev.retries + 1, 30));
  double delay = std::min(m.backoff_cap.value, m.backoff_base.value * std::ldexp(1.0, dev.retries - 1));
  delay *= 1.0 - m.backoff_jitter * draw(d, Stream::Backoff);
  set_state(d, DeviceState::Backoff);
  ++dev.generation;
  schedule_step(d, kernel_.now() + Seconds(std::max(delay, 0.001)), event::kRetry);
}

void World::begin_download(uint32_t d, bool battery_checked) {
  Device& dev = devices_[d];
  const CohortInfo& c = cohorts_[cohort_of(d)];
  const DeviceModel& m = *c.model;
  const double now = kernel_.now().value;
  if (m.has_battery && !battery_checked && sample(d, m.battery_level, Stream::Battery) < m.battery_threshold) {
    set_state(d, DeviceState::Deferred);
    ++dev.generation;
    schedule_step(d, Seconds(now + sample(d, m.recharge, Stream::Battery)), event::kRecharged);
    return;
  }
  if (region_down_[size_t(c.region)] > 0) {
    back_off(d);
    return;
  }
  const size_t shard = shard_of(d);
  if (!unlimited_connections_ && connections_[shard] >= connection_quota_.whole(int(shard))) {
    ++refused_;
    ++epoch_refused_[shard];
    ++interval_refused_;
    back_off(d);
    return;
  }
  count_attempt(d);
  if (m.mean_bad.value > 0 && sample_link_bad(d, now)) {
    if (m.bad_state == BadLinkBehaviour::Drop) {  // the connection attempt fails at once
      if (dev.attempts >= m.retry_max_attempts) {
        ++dev.generation;
        finish(d, DeviceState::DownloadFailed);
      } else {
        back_off(d);
      }
      return;
    }
    dev.retries = 0;  // connected: the next backoff starts a new run
    open_connection(d);
    set_state(d, DeviceState::Stalled);
    ++dev.generation;
    schedule_step(d, Seconds(now - m.mean_bad.value * std::log(draw(d, Stream::LinkState))), event::kLinkFlip);
    return;
  }
  dev.retries = 0;  // connected: the next backoff starts a new run
  open_connection(d);
  start_transfer(d);
}

void World::start_transfer(uint32_t d) {
  Device& dev = devices_[d];
  const CohortInfo& c = cohorts_[cohort_of(d)];
  const DeviceModel& m = *c.model;
  const double now = kernel_.now().value;
  const Bytes remaining = image_size(d) - Bytes(double(dev.bytes_done));
  if (options_.trace_devices && traces_[d].download_start < 0) traces_[d].download_start = now;
  set_state(d, DeviceState::Downloading);
  ++dev.generation;
  dev.transfer = kernel_.start_transfer(shard_link_[shard_of(d)], d, remaining, link_cap(d), link_latency(d));
  if (m.mean_bad.value > 0) {
    dev.link_bad = 0;
    dev.link_since = float(now);
    schedule_step(d, Seconds(now - m.mean_good.value * std::log(draw(d, Stream::LinkState))), event::kLinkFlip);
  }
}

double World::stop_transfer(uint32_t d) {
  Device& dev = devices_[d];
  const double got = kernel_.cancel_transfer(dev.transfer).value;
  dev.transfer = kTransferNone;
  bytes_delivered_[shard_of(d)] += got;
  if (options_.trace_devices) traces_[d].bytes += uint32_t(got);
  return got;
}

void World::download_attempt_failed(uint32_t d) {
  // The connection dropped (bad link with drop behaviour, or a regional outage).
  Device& dev = devices_[d];
  const CohortInfo& c = cohorts_[cohort_of(d)];
  const DeviceModel& m = *c.model;
  double& retransmitted = bytes_retransmitted_[shard_of(d)];
  if (dev.state == DeviceState::Downloading) {
    double got = stop_transfer(d);
    if (m.resume) dev.bytes_done += uint32_t(got);
    else {
      retransmitted += double(dev.bytes_done) + got;
      dev.bytes_done = 0;
    }
  } else if (dev.state == DeviceState::Stalled && !m.resume) {
    retransmitted += double(dev.bytes_done);
    dev.bytes_done = 0;
  }
  close_connection(d);
  if (dev.attempts >= m.retry_max_attempts) {
    ++dev.generation;
    finish(d, DeviceState::DownloadFailed);
    return;
  }
  back_off(d);
}

void World::on_link_flip(uint32_t d) {
  Device& dev = devices_[d];
  const DeviceModel& m = *cohorts_[cohort_of(d)].model;
  const double now = kernel_.now().value;
  if (dev.state == DeviceState::Downloading) {  // good → bad
    dev.link_bad = 1;
    dev.link_since = float(now);
    if (m.bad_state == BadLinkBehaviour::Drop) {
      download_attempt_failed(d);
      return;
    }
    dev.bytes_done += uint32_t(stop_transfer(d));
    set_state(d, DeviceState::Stalled);
    ++dev.generation;
    schedule_step(d, Seconds(now - m.mean_bad.value * std::log(draw(d, Stream::LinkState))), event::kLinkFlip);
    return;
  }
  if (dev.state == DeviceState::Stalled) {  // bad → good: the stalled connection resumes
    start_transfer(d);  // the stalled connection resumes: not a new attempt
  }
}

void World::on_transfer_complete(EntityId owner, TransferId /*id*/, Bytes size) {
  const uint32_t d = owner;
  Device& dev = devices_[d];
  const CohortInfo& c = cohorts_[cohort_of(d)];
  const DeviceModel& m = *c.model;
  const double now = kernel_.now().value;
  dev.transfer = kTransferNone;
  bytes_delivered_[shard_of(d)] += size.value;
  close_connection(d);
  if (options_.trace_devices) {
    traces_[d].download_end = now;
    traces_[d].bytes += uint32_t(size.value);
  }
  // Checksum fails when the artifact was corrupt (a CDN cache serving a bad object) or the
  // download was damaged on the way.
  bool corrupt = corrupt_window_[size_t(c.region)] || draw(d, Stream::Corruption) < m.corruption;
  set_state(d, DeviceState::Verifying);
  ++dev.generation;
  schedule_step(d, Seconds(now + sample(d, m.verify, Stream::PhaseDurations)), event::kPhaseDone,
                uint16_t(event::kVerify | ((corrupt ? event::kCorrupt : event::kOk) << 8)));
}

void World::on_phase_done(uint32_t d, uint16_t phase, uint16_t outcome) {
  Device& dev = devices_[d];
  const CohortInfo& c = cohorts_[cohort_of(d)];
  const DeviceModel& m = *c.model;
  const double now = kernel_.now().value;
  const bool single = m.storage == StorageLayout::Single;
  switch (phase) {
    case event::kVerify: {
      if (outcome == event::kCorrupt) {
        ++corrupt_downloads_;
        const double size = image_size(d).value;
        bytes_retransmitted_[shard_of(d)] += size;
        dev.bytes_done = 0;
        if (dev.attempts >= m.retry_max_attempts) {
          finish(d, DeviceState::DownloadFailed);
          return;
        }
        back_off(d);  // the checksum failed: check in again after a backoff and re-download
        return;
      }
      double duration = sample(d, m.install, Stream::PhaseDurations);
      if (m.flash_write_rate.value > 0) duration += image_size(d).value / m.flash_write_rate.value;
      uint16_t result = event::kOk;
      if (m.power_loss_per_hour > 0 &&
          draw(d, Stream::PowerLoss) < 1.0 - std::exp(-m.power_loss_per_hour * duration / 3600.0))
        result = event::kPowerLoss;
      else if (draw(d, Stream::InstallFailure) < m.install_failure)
        result = event::kInstallFail;
      set_state(d, DeviceState::Installing);
      ++dev.generation;
      schedule_step(d, Seconds(now + duration), event::kPhaseDone, uint16_t(event::kInstall | (result << 8)));
      return;
    }
    case event::kInstall: {
      if (outcome == event::kPowerLoss) {
        finish(d, single ? DeviceState::Bricked : DeviceState::RolledBack);
        return;
      }
      if (outcome == event::kInstallFail) {
        finish(d, single ? DeviceState::Bricked : DeviceState::InstallFailed);
        return;
      }
      if (options_.trace_devices) traces_[d].installed = now;
      // Whether a build boots on a device is a property of the pair (e.g. a hardware revision
      // the build breaks), so the draw is fixed per device: a retried execution fails again.
      const double p_boot = dev.rollback_job ? 0.0 : boot_failure_for(d, now);
      bool boot_fails = p_boot > 0 && uniform01(scenario_.seed, d, Stream::BootFailure, 0) < p_boot;
      set_state(d, DeviceState::Rebooting);
      ++dev.generation;
      schedule_step(d, Seconds(now + sample(d, m.reboot, Stream::PhaseDurations)), event::kPhaseDone,
                    uint16_t(event::kReboot | ((boot_fails ? event::kBootFail : event::kOk) << 8)));
      return;
    }
    case event::kReboot: {
      if (outcome == event::kBootFail) {
        // A/B: MCUboot reverts to the old slot on the next reset; single bank: no image to boot.
        finish(d, single ? DeviceState::Bricked : DeviceState::RolledBack);
        return;
      }
      set_state(d, DeviceState::HealthCheck);
      ++dev.generation;
      schedule_step(d, Seconds(now + sample(d, m.health_check, Stream::PhaseDurations)), event::kPhaseDone,
                    event::kHealth);
      return;
    }
    case event::kHealth:
      finish(d, dev.rollback_job ? DeviceState::Reverted : DeviceState::Updated);
      return;
    default:
      return;
  }
}

void World::on_execution_timeout(uint32_t d, uint32_t execution) {
  Device& dev = devices_[d];
  if (execution != dev.executions) return;
  // Only steps that can still be abandoned time out; an install in progress runs to its end.
  switch (dev.state) {
    case DeviceState::Waiting:
    case DeviceState::Backoff:
    case DeviceState::Deferred:
    case DeviceState::Verifying:
      break;
    case DeviceState::Downloading:
      stop_transfer(d);
      close_connection(d);
      break;
    case DeviceState::Stalled:
      close_connection(d);
      break;
    default:
      return;
  }
  ++dev.generation;
  finish(d, DeviceState::TimedOut);
}

void World::finish(uint32_t d, DeviceState terminal) {
  Device& dev = devices_[d];
  const double now = kernel_.now().value;
  set_state(d, terminal);
  if (terminal == DeviceState::Updated || terminal == DeviceState::Reverted) {
    const uint16_t new_version = terminal == DeviceState::Updated ? target_version_ : dev.initial_version;
    --version_counts_[dev.version];
    ++version_counts_[new_version];
    if (terminal == DeviceState::Reverted) on_target_changed(d, now, -1);
    dev.version = new_version;
    if (terminal == DeviceState::Updated) on_target_changed(d, now, +1);
  }
  if (options_.trace_devices) traces_[d].finished = now;
  if (dev.rollback_job) return;  // rollback executions stay outside the rollout's tallies

  if (terminal == DeviceState::Updated && controller_->state() == RolloutState::RolledBack) {
    // The rollout was rolled back while this device was still updating: send it back too.
    dev.rollback_job = 1;
    release(d, kernel_.now());
  }
  if (terminal == DeviceState::Updated) {
    ++totals_.succeeded;
    ++wave_tallies_[dev.wave].succeeded;
    size_t bin = size_t(std::max(0.0, now - double(dev.notified_at)) / histogram_bin_);
    ++duration_histogram_[std::min(bin, duration_histogram_.size() - 1)];
  } else {
    // A failed execution is retried when the rollout allows it (and the device can still boot).
    const Retries& rt = scenario_.rollout.retries;
    const FailureType type = FailureType(failure_type_index(terminal));
    const bool matches = rt.failure == FailureType::Any || rt.failure == type ||
                         (rt.failure == FailureType::Failed && type != FailureType::TimedOut);
    const RolloutState rollout = controller_->state();
    const bool rollout_live = rollout == RolloutState::Running || rollout == RolloutState::Completed;
    if (terminal != DeviceState::Bricked && matches && dev.executions <= rt.max && rollout_live) {
      set_state(d, DeviceState::Idle);
      release(d, kernel_.now());  // still in progress: the same device, a new execution
      return;
    }
    ++wave_tallies_[dev.wave].failed;
    ++totals_.failures[size_t(FailureType::Any)];
    ++totals_.failures[size_t(type)];
    if (type != FailureType::TimedOut && type != FailureType::Failed) ++totals_.failures[size_t(FailureType::Failed)];
  }
  ++totals_.executed;
  --totals_.in_progress;
}

}  // namespace fleetsim
