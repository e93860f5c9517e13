// A virtual device's state: one packed record per device in a contiguous array. Cohort, model
// and region are not stored: device ids are dense by cohort and looked up by range.
#pragma once

#include <array>
#include <cstdint>

namespace fleetsim {

enum class DeviceState : uint8_t {
  Idle,           // not (yet) targeted, or already on target
  Waiting,        // targeted; waiting for its next poll / push notification
  Backoff,        // waiting to retry after a refusal, throttling, drop or outage
  Deferred,       // battery below threshold; waiting to recharge
  Downloading,
  Stalled,        // link in the bad state; transfer paused
  Verifying,
  Installing,
  Rebooting,
  HealthCheck,
  Updated,        // terminal: running the target version
  DownloadFailed, // terminal: download attempts exhausted
  InstallFailed,  // terminal: install failed, old version kept (A/B)
  RolledBack,     // terminal: boot failure or power loss, MCUboot reverted to the old slot (A/B)
  Bricked,        // terminal: single-bank device lost its image
  TimedOut,       // terminal: rollout execution timeout
  Reverted,       // terminal: rolled back to its initial version by the rollout's rollback action
  Canceled,       // terminal: an abort or rollback cancelled its execution (AWS IoT Jobs CANCELED)
  kCount
};
constexpr int kDeviceStateCount = int(DeviceState::kCount);

constexpr std::array<const char*, kDeviceStateCount> kDeviceStateNames = {
    "idle",       "waiting",      "backoff",   "deferred",        "downloading", "stalled",
    "verifying",  "installing",   "rebooting", "health_check",    "updated",     "download_failed",
    "install_failed", "rolled_back", "bricked", "timed_out",      "reverted",
    "canceled"};

constexpr const char* to_string(DeviceState s) { return kDeviceStateNames[size_t(s)]; }

constexpr bool is_terminal(DeviceState s) { return s >= DeviceState::Updated; }
constexpr bool is_failure(DeviceState s) {
  return s >= DeviceState::DownloadFailed && s <= DeviceState::TimedOut;
}
// States in which a device holds a CDN connection.
constexpr bool holds_connection(DeviceState s) {
  return s == DeviceState::Downloading || s == DeviceState::Stalled;
}

// The failure type a terminal state counts as in rollout gates and abort criteria
// (values of FailureType in sim/scenario/scenario.hpp: Failed = 1, TimedOut = 2, Bricked = 3, RolledBack = 4).
constexpr int failure_type_index(DeviceState s) {
  switch (s) {
    case DeviceState::TimedOut: return 2;
    case DeviceState::Bricked: return 3;
    case DeviceState::RolledBack: return 4;
    default: return 1;
  }
}

constexpr uint8_t kNotTargeted = 0xFF;
constexpr uint32_t kTransferNone = 0xFFFFFFFFu;

struct Device {
  DeviceState state = DeviceState::Idle;
  uint8_t wave = kNotTargeted;   // rollout wave that released it
  uint8_t attempts = 0;          // download attempts in the current execution
  uint8_t executions = 0;        // rollout executions (1 + retries)
  uint8_t link_bad = 0;          // Gilbert–Elliott state at link_since
  uint8_t rollback_job = 0;      // current job is the rollout's rollback to the initial version
  uint8_t retries = 0;           // consecutive backoffs (sets the backoff delay)
  uint16_t version = 0;          // index into the world's version table
  uint16_t initial_version = 0;
  uint16_t generation = 0;       // invalidates this device's pending step timer
  uint32_t rng = 0;              // counter of dynamic random draws
  uint32_t transfer = kTransferNone;
  uint32_t bytes_done = 0;       // bytes of the current image already downloaded (resume)
  float link_since = 0;          // time of the last known link state
  float notified_at = -1;        // start of the current execution
};
static_assert(sizeof(Device) <= 40, "keep the device record compact");

}  // namespace fleetsim
