// The device update lifecycle (README, "Device models"), shared by every device model:
// idle → waiting (next poll / push) → downloading ⇄ stalled → verifying → installing →
// rebooting → health check → updated, with the failure exits download-failed, corrupt →
// re-download, install-failed, boot-failed → rolled-back (A/B) or bricked (single bank),
// power loss during install, and timed-out.
//
// A DeviceLifecycle owns the device records a rank simulates and drives them; everything else a
// device needs — time, timers, the CDN, the update service and broker, the firmware, the tallies —
// it asks of its Fleet, which models FleetServices. The Fleet is a template parameter, not a
// virtual base, so that the per-event calls into it inline.
//
// Randomness comes from the device's own counter-based stream, so outcomes do not depend on
// event interleaving with other devices.
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "device-models/device_events.hpp"
#include "device-models/device_model.hpp"
#include "device-models/device_state.hpp"
#include "device-models/device_table.hpp"
#include "sim/core/distribution.hpp"
#include "sim/core/quantity.hpp"
#include "sim/core/random_stream.hpp"

namespace fleetsim {

// Where a device sits in the fleet: its model, its region, and the edge site (shard) of the
// region that serves it.
struct DeviceSite {
  const DeviceModel* model;
  uint32_t region;
  uint32_t shard;
};

// What a device asks of the platform and reports to it. Transfers are identified by the
// kernel's transfer ids (Device::transfer).
template <class F>
concept FleetServices = requires(F& f, const F& cf, uint32_t d, uint32_t place, Seconds t, Bytes b,
                                 BytesPerSecond rate, DeviceState s, uint16_t u16, uint32_t u32) {
  // What the device reads: its place, the time, the seed of its random stream, the region's
  // round trip, the image it is to download and whether that build boots on it.
  { cf.site(d) } -> std::same_as<DeviceSite>;
  { cf.now() } -> std::same_as<Seconds>;
  { cf.seed() } -> std::same_as<uint64_t>;
  { cf.region_rtt(place) } -> std::same_as<Seconds>;
  { cf.region_offline(place) } -> std::same_as<bool>;
  { cf.artifact_corrupt(place) } -> std::same_as<bool>;  // the region's CDN serves a bad object
  { cf.image_size(d) } -> std::same_as<Bytes>;
  { cf.target_version() } -> std::same_as<uint16_t>;
  { cf.boot_failure(d, t) } -> std::same_as<double>;    // probability that the target fails to boot
  { cf.execution_timeout() } -> std::same_as<Seconds>;  // 0: none
  // Requests to the platform services of a shard; false: refused or throttled.
  { f.admit_reconnect(place) } -> std::same_as<bool>;   // the broker's connect-rate limit
  { f.admit_check_in(place) } -> std::same_as<bool>;    // the update service's capacity
  { f.admit_connection(place) } -> std::same_as<bool>;  // the CDN's connection limit
  f.open_connection(place);
  f.close_connection(place);
  { f.start_transfer(place, d, b, rate, t) } -> std::same_as<uint32_t>;  // size, cap, latency
  { f.cancel_transfer(u32) } -> std::same_as<Bytes>;                     // the bytes it delivered
  f.schedule(t, d, u16, u32, u16);                                       // at, device, kind, tag, aux
  // A board behind the HIL bridge that does this device's update instead.
  { cf.board_owns(d) } -> std::same_as<bool>;
  f.start_board_update(d, t);
  // Reports.
  f.state_changed(s, s);
  f.notified(d, t);            // first successful contact of an execution
  f.attempted(d);              // a download attempt started
  f.download_started(d, t);
  f.delivered(place, d, b);    // bytes that arrived (a completed or a cancelled transfer)
  f.download_completed(d, t);
  f.retransmitted(place, b);   // bytes downloaded again
  f.corrupt_download();
  f.installed(d, t);
  f.finished(d, s, u16);       // a terminal state, and the version the device ran before
  f.withdrawn(d);              // its board failed for infrastructure reasons: out of the rollout
};

template <class Fleet>
class DeviceLifecycle {
 public:
  explicit DeviceLifecycle(Fleet& fleet) : fleet_(fleet) {}

  // `count` device ids; the [first, first + n) ranges in `owned` get records.
  void allocate(size_t count, const std::vector<std::pair<size_t, size_t>>& owned) { devices_.allocate(count, owned); }
  size_t size() const { return devices_.size(); }
  Device& device(uint32_t d) { return devices_[d]; }
  const Device& device(uint32_t d) const { return devices_[d]; }

  // A new execution of the device's job starts at `now`: it waits for its next poll or push.
  void release(uint32_t d, Seconds now);
  // A timer of event::kNotify … kExternalOutcome for device `d` fired.
  void on_timer(uint32_t d, uint16_t kind, uint32_t tag, uint16_t aux);
  void on_transfer_complete(uint32_t d, Bytes size);
  // The device's CDN connection dropped (a bad link with drop behaviour, or a regional outage).
  void connection_dropped(uint32_t d);
  // Power was cut while the device was installing: the install never completes.
  void power_lost(uint32_t d);
  // The rollout cancelled the device's execution: one not picked up yet (no successful check-in)
  // always, one in progress only with `in_progress`, and then only while it can still be
  // abandoned (an install in progress runs to its end, as with the execution timeout). Returns
  // whether it was cancelled.
  bool cancel(uint32_t d, bool in_progress);

 private:
  void on_notify(uint32_t d);
  void begin_download(uint32_t d, bool battery_checked);
  void start_transfer(uint32_t d, const DeviceSite& site);
  void on_link_flip(uint32_t d);
  void on_phase_done(uint32_t d, uint16_t phase, uint16_t outcome);
  void on_execution_timeout(uint32_t d, uint32_t execution);
  // Ends the current step of an execution that can still be abandoned (an install in progress
  // runs to its end); false when it cannot.
  bool abandon_step(uint32_t d);
  Bytes stop_transfer(uint32_t d, uint32_t shard);  // cancels the open transfer; returns the bytes it delivered
  void back_off(uint32_t d, const DeviceModel& m);
  void finish(uint32_t d, DeviceState terminal);
  void set_state(uint32_t d, DeviceState s);
  void count_attempt(uint32_t d);
  void schedule_step(uint32_t d, Seconds at, uint16_t kind, uint16_t aux = 0);
  bool sample_link_bad(uint32_t d, const DeviceModel& m, double now);
  double next_poll_after(uint32_t d, const DeviceModel& m, double t) const;
  double draw(uint32_t d, Stream s);
  double sample(uint32_t d, const Distribution& dist, Stream s);
  BytesPerSecond link_cap(uint32_t d, const DeviceModel& m) const;
  Seconds link_latency(uint32_t d, const DeviceSite& site) const;

  Fleet& fleet_;
  DeviceTable devices_;
};

template <class Fleet>
double DeviceLifecycle<Fleet>::draw(uint32_t d, Stream s) {
  return uniform01(fleet_.seed(), d, s, devices_[d].rng++);
}

template <class Fleet>
double DeviceLifecycle<Fleet>::sample(uint32_t d, const Distribution& dist, Stream s) {
  if (dist.is_fixed()) return std::max(0.0, dist.a);
  double u1 = draw(d, s), u2 = draw(d, s);
  return std::max(0.0, dist.sample(u1, u2));
}

template <class Fleet>
BytesPerSecond DeviceLifecycle<Fleet>::link_cap(uint32_t d, const DeviceModel& m) const {
  // A device's link rate is a fixed property: drawn from counter 0 of its own stream.
  const uint64_t seed = fleet_.seed();
  double v = m.downlink.is_fixed() ? m.downlink.a
                                   : m.downlink.sample(uniform01(seed, d, Stream::LinkRate, 0),
                                                       uniform01(seed, d, Stream::LinkRate, 1));
  return BytesPerSecond(std::max(1.0, v));
}

template <class Fleet>
Seconds DeviceLifecycle<Fleet>::link_latency(uint32_t d, const DeviceSite& site) const {
  const DeviceModel& m = *site.model;
  const uint64_t seed = fleet_.seed();
  double rtt = m.rtt.is_fixed() ? m.rtt.a
                                : m.rtt.sample(uniform01(seed, d, Stream::LinkRtt, 0), uniform01(seed, d, Stream::LinkRtt, 1));
  // A request costs one round trip before the first byte arrives.
  return Seconds(std::max(0.0, rtt) + fleet_.region_rtt(site.region).value);
}

template <class Fleet>
double DeviceLifecycle<Fleet>::next_poll_after(uint32_t d, const DeviceModel& m, double t) const {
  // Poll k happens at phase + k·interval + jitter_k (jitter_k < interval, so polls stay ordered).
  const uint64_t seed = fleet_.seed();
  const double interval = m.poll_interval.value;
  const double phase = uniform01(seed, d, Stream::PollPhase, 0) * interval;
  auto poll_time = [&](int64_t k) {
    return phase + double(k) * interval + m.poll_jitter.value * uniform01(seed, d, Stream::PollJitter, uint64_t(k));
  };
  int64_t k = t < phase ? 0 : int64_t(std::floor((t - phase) / interval));
  double p = poll_time(k);
  return p > t ? p : poll_time(k + 1);
}

template <class Fleet>
bool DeviceLifecycle<Fleet>::sample_link_bad(uint32_t d, const DeviceModel& m, double now) {
  // Two-state continuous-time Markov chain: good→bad at rate a, bad→good at rate b.
  // P(bad at now | state s at t0) = π + (1{s bad} − π)·e^{−(a+b)(now−t0)}, π = a/(a+b).
  Device& dev = devices_[d];
  const double a = 1.0 / m.mean_good.value, b = 1.0 / m.mean_bad.value;
  const double pi = a / (a + b);
  double p_bad = pi;
  if (dev.link_since >= 0)
    p_bad = pi + ((dev.link_bad ? 1.0 : 0.0) - pi) * std::exp(-(a + b) * (now - double(dev.link_since)));
  dev.link_bad = draw(d, Stream::LinkState) < p_bad;
  dev.link_since = float(now);
  return dev.link_bad;
}

template <class Fleet>
void DeviceLifecycle<Fleet>::count_attempt(uint32_t d) {
  ++devices_[d].attempts;
  fleet_.attempted(d);
}

template <class Fleet>
void DeviceLifecycle<Fleet>::set_state(uint32_t d, DeviceState s) {
  Device& dev = devices_[d];
  fleet_.state_changed(dev.state, s);
  dev.state = s;
}

template <class Fleet>
void DeviceLifecycle<Fleet>::schedule_step(uint32_t d, Seconds at, uint16_t kind, uint16_t aux) {
  fleet_.schedule(at, d, kind, devices_[d].generation, aux);
}

template <class Fleet>
void DeviceLifecycle<Fleet>::release(uint32_t d, Seconds now) {
  static_assert(FleetServices<Fleet>);
  Device& dev = devices_[d];
  const DeviceSite site = fleet_.site(d);
  ++dev.executions;
  dev.attempts = 0;
  dev.retries = 0;
  dev.bytes_done = 0;
  dev.notified_at = -1;
  ++dev.generation;
  set_state(d, DeviceState::Waiting);
  double at;
  if (site.model->notification == Notification::Push) {
    at = now.value + fleet_.region_rtt(site.region).value / 2;  // job document pushed over MQTT
  } else {
    at = next_poll_after(d, *site.model, now.value);
  }
  schedule_step(d, Seconds(at), event::kNotify);
}

template <class Fleet>
void DeviceLifecycle<Fleet>::on_timer(uint32_t d, uint16_t kind, uint32_t tag, uint16_t aux) {
  Device& dev = devices_[d];
  switch (kind) {
    case event::kTimeout: on_execution_timeout(d, tag); return;
    case event::kExternalOutcome:
      if (dev.state != DeviceState::Installing || !fleet_.board_owns(d)) return;
      if (aux == event::kExternalWithdrawn) {
        // Back to idle on its old version, no longer counted in its wave's gate.
        set_state(d, DeviceState::Idle);
        ++dev.generation;
        fleet_.withdrawn(d);
      } else if (aux < kDeviceStateCount && is_terminal(DeviceState(aux))) {
        finish(d, DeviceState(aux));
      }
      return;
    default: break;
  }
  if (uint16_t(tag) != dev.generation) return;  // superseded step timer
  switch (kind) {
    case event::kNotify: on_notify(d); return;
    case event::kRetry: on_notify(d); return;
    case event::kLinkFlip: on_link_flip(d); return;
    case event::kPhaseDone: on_phase_done(d, aux & 0xFF, aux >> 8); return;
    case event::kRecharged: begin_download(d, true); return;
    default: return;
  }
}

template <class Fleet>
void DeviceLifecycle<Fleet>::on_notify(uint32_t d) {
  Device& dev = devices_[d];
  const DeviceSite site = fleet_.site(d);
  const DeviceModel& m = *site.model;
  const double now = fleet_.now().value;
  if (fleet_.region_offline(site.region)) {  // the check-in fails: the region is offline
    back_off(d, m);
    return;
  }
  if (m.notification == Notification::Push && dev.retries > 0 && !fleet_.admit_reconnect(site.shard)) {
    back_off(d, m);  // reconnect refused by the broker's connect-rate limit
    return;
  }
  if (!fleet_.admit_check_in(site.shard)) {
    back_off(d, m);
    return;
  }
  if (dev.notified_at < 0) {  // first successful contact of this execution
    fleet_.notified(d, Seconds(now));
    dev.notified_at = float(now);
    const Seconds timeout = fleet_.execution_timeout();
    if (timeout.value > 0) fleet_.schedule(Seconds(now) + timeout, d, event::kTimeout, dev.executions, 0);
  }
  if (fleet_.board_owns(d)) {  // a board does the update; its outcome comes back later
    set_state(d, DeviceState::Installing);  // busy, holds no simulated connection, not abandonable
    ++dev.generation;
    fleet_.start_board_update(d, Seconds(now));
    return;
  }
  begin_download(d, false);
}

template <class Fleet>
void DeviceLifecycle<Fleet>::back_off(uint32_t d, const DeviceModel& m) {
  Device& dev = devices_[d];
  dev.retries = uint8_t(std::min(dev.retries + 1, 30));
  double delay = std::min(m.backoff_cap.value, m.backoff_base.value * std::ldexp(1.0, dev.retries - 1));
  delay *= 1.0 - m.backoff_jitter * draw(d, Stream::Backoff);
  set_state(d, DeviceState::Backoff);
  ++dev.generation;
  schedule_step(d, fleet_.now() + Seconds(std::max(delay, 0.001)), event::kRetry);
}

template <class Fleet>
void DeviceLifecycle<Fleet>::begin_download(uint32_t d, bool battery_checked) {
  Device& dev = devices_[d];
  const DeviceSite site = fleet_.site(d);
  const DeviceModel& m = *site.model;
  const double now = fleet_.now().value;
  if (m.has_battery && !battery_checked && sample(d, m.battery_level, Stream::Battery) < m.battery_threshold) {
    set_state(d, DeviceState::Deferred);
    ++dev.generation;
    schedule_step(d, Seconds(now + sample(d, m.recharge, Stream::Battery)), event::kRecharged);
    return;
  }
  if (fleet_.region_offline(site.region) || !fleet_.admit_connection(site.shard)) {
    back_off(d, m);
    return;
  }
  count_attempt(d);
  if (m.mean_bad.value > 0 && sample_link_bad(d, m, now)) {
    if (m.bad_state == BadLinkBehaviour::Drop) {  // the connection attempt fails at once
      if (dev.attempts >= m.retry_max_attempts) {
        ++dev.generation;
        finish(d, DeviceState::DownloadFailed);
      } else {
        back_off(d, m);
      }
      return;
    }
    dev.retries = 0;  // connected: the next backoff starts a new run
    fleet_.open_connection(site.shard);
    set_state(d, DeviceState::Stalled);
    ++dev.generation;
    schedule_step(d, Seconds(now - m.mean_bad.value * std::log(draw(d, Stream::LinkState))), event::kLinkFlip);
    return;
  }
  dev.retries = 0;  // connected: the next backoff starts a new run
  fleet_.open_connection(site.shard);
  start_transfer(d, site);
}

template <class Fleet>
void DeviceLifecycle<Fleet>::start_transfer(uint32_t d, const DeviceSite& site) {
  Device& dev = devices_[d];
  const DeviceModel& m = *site.model;
  const double now = fleet_.now().value;
  const Bytes remaining = fleet_.image_size(d) - Bytes(double(dev.bytes_done));
  fleet_.download_started(d, Seconds(now));
  set_state(d, DeviceState::Downloading);
  ++dev.generation;
  dev.transfer = fleet_.start_transfer(site.shard, d, remaining, link_cap(d, m), link_latency(d, site));
  if (m.mean_bad.value > 0) {
    dev.link_bad = 0;
    dev.link_since = float(now);
    schedule_step(d, Seconds(now - m.mean_good.value * std::log(draw(d, Stream::LinkState))), event::kLinkFlip);
  }
}

template <class Fleet>
Bytes DeviceLifecycle<Fleet>::stop_transfer(uint32_t d, uint32_t shard) {
  Device& dev = devices_[d];
  const Bytes got = fleet_.cancel_transfer(dev.transfer);
  dev.transfer = kTransferNone;
  fleet_.delivered(shard, d, got);
  return got;
}

template <class Fleet>
void DeviceLifecycle<Fleet>::connection_dropped(uint32_t d) {
  Device& dev = devices_[d];
  const DeviceSite site = fleet_.site(d);
  const DeviceModel& m = *site.model;
  if (dev.state == DeviceState::Downloading) {
    const double got = stop_transfer(d, site.shard).value;
    if (m.resume) dev.bytes_done += uint32_t(got);
    else {
      fleet_.retransmitted(site.shard, Bytes(double(dev.bytes_done) + got));
      dev.bytes_done = 0;
    }
  } else if (dev.state == DeviceState::Stalled && !m.resume) {
    fleet_.retransmitted(site.shard, Bytes(double(dev.bytes_done)));
    dev.bytes_done = 0;
  }
  fleet_.close_connection(site.shard);
  if (dev.attempts >= m.retry_max_attempts) {
    ++dev.generation;
    finish(d, DeviceState::DownloadFailed);
    return;
  }
  back_off(d, m);
}

template <class Fleet>
void DeviceLifecycle<Fleet>::on_link_flip(uint32_t d) {
  Device& dev = devices_[d];
  const DeviceSite site = fleet_.site(d);
  const DeviceModel& m = *site.model;
  const double now = fleet_.now().value;
  if (dev.state == DeviceState::Downloading) {  // good → bad
    dev.link_bad = 1;
    dev.link_since = float(now);
    if (m.bad_state == BadLinkBehaviour::Drop) {
      connection_dropped(d);
      return;
    }
    dev.bytes_done += uint32_t(stop_transfer(d, site.shard).value);
    set_state(d, DeviceState::Stalled);
    ++dev.generation;
    schedule_step(d, Seconds(now - m.mean_bad.value * std::log(draw(d, Stream::LinkState))), event::kLinkFlip);
    return;
  }
  if (dev.state == DeviceState::Stalled) start_transfer(d, site);  // the stalled connection resumes: not a new attempt
}

template <class Fleet>
void DeviceLifecycle<Fleet>::on_transfer_complete(uint32_t d, Bytes size) {
  Device& dev = devices_[d];
  const DeviceSite site = fleet_.site(d);
  const DeviceModel& m = *site.model;
  const double now = fleet_.now().value;
  dev.transfer = kTransferNone;
  fleet_.delivered(site.shard, d, size);
  fleet_.close_connection(site.shard);
  fleet_.download_completed(d, Seconds(now));
  // Checksum fails when the artifact was corrupt (a CDN cache serving a bad object) or the
  // download was damaged on the way.
  bool corrupt = fleet_.artifact_corrupt(site.region) || draw(d, Stream::Corruption) < m.corruption;
  set_state(d, DeviceState::Verifying);
  ++dev.generation;
  schedule_step(d, Seconds(now + sample(d, m.verify, Stream::PhaseDurations)), event::kPhaseDone,
                uint16_t(event::kVerify | ((corrupt ? event::kCorrupt : event::kOk) << 8)));
}

template <class Fleet>
void DeviceLifecycle<Fleet>::on_phase_done(uint32_t d, uint16_t phase, uint16_t outcome) {
  Device& dev = devices_[d];
  const DeviceSite site = fleet_.site(d);
  const DeviceModel& m = *site.model;
  const double now = fleet_.now().value;
  const bool single = m.storage == StorageLayout::Single;
  switch (phase) {
    case event::kVerify: {
      if (outcome == event::kCorrupt) {
        fleet_.corrupt_download();
        fleet_.retransmitted(site.shard, fleet_.image_size(d));
        dev.bytes_done = 0;
        if (dev.attempts >= m.retry_max_attempts) {
          finish(d, DeviceState::DownloadFailed);
          return;
        }
        back_off(d, m);  // the checksum failed: check in again after a backoff and re-download
        return;
      }
      double duration = sample(d, m.install, Stream::PhaseDurations);
      if (m.flash_write_rate.value > 0) duration += fleet_.image_size(d).value / m.flash_write_rate.value;
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
      fleet_.installed(d, Seconds(now));
      // Whether a build boots on a device is a property of the pair (e.g. a hardware revision
      // the build breaks), so the draw is fixed per device: a retried execution fails again.
      const double p_boot = dev.rollback_job ? 0.0 : fleet_.boot_failure(d, Seconds(now));
      bool boot_fails = p_boot > 0 && uniform01(fleet_.seed(), d, Stream::BootFailure, 0) < p_boot;
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

template <class Fleet>
void DeviceLifecycle<Fleet>::on_execution_timeout(uint32_t d, uint32_t execution) {
  Device& dev = devices_[d];
  if (execution != dev.executions) return;
  if (abandon_step(d)) finish(d, DeviceState::TimedOut);
}

template <class Fleet>
bool DeviceLifecycle<Fleet>::abandon_step(uint32_t d) {
  Device& dev = devices_[d];
  switch (dev.state) {
    case DeviceState::Waiting:
    case DeviceState::Backoff:
    case DeviceState::Deferred:
    case DeviceState::Verifying:
      break;
    case DeviceState::Downloading: {
      const uint32_t shard = fleet_.site(d).shard;
      stop_transfer(d, shard);
      fleet_.close_connection(shard);
      break;
    }
    case DeviceState::Stalled:
      fleet_.close_connection(fleet_.site(d).shard);
      break;
    default:
      return false;
  }
  ++dev.generation;  // the pending step timer is void
  return true;
}

template <class Fleet>
bool DeviceLifecycle<Fleet>::cancel(uint32_t d, bool in_progress) {
  if (!in_progress && devices_[d].notified_at >= 0) return false;
  if (!abandon_step(d)) return false;
  finish(d, DeviceState::Canceled);
  return true;
}

template <class Fleet>
void DeviceLifecycle<Fleet>::power_lost(uint32_t d) {
  ++devices_[d].generation;  // the install never completes
  finish(d, fleet_.site(d).model->storage == StorageLayout::Single ? DeviceState::Bricked : DeviceState::RolledBack);
}

template <class Fleet>
void DeviceLifecycle<Fleet>::finish(uint32_t d, DeviceState terminal) {
  Device& dev = devices_[d];
  const uint16_t previous = dev.version;
  set_state(d, terminal);
  if (terminal == DeviceState::Updated) dev.version = fleet_.target_version();
  if (terminal == DeviceState::Reverted) dev.version = dev.initial_version;
  fleet_.finished(d, terminal, previous);
}

}  // namespace fleetsim
