// What a run produced, as plain data: the world fills it, the writers in reports/ turn it into
// files. Everything here except RunStats is deterministic for a scenario and seed.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "device-models/device_state.hpp"
#include "sim/core/problem.hpp"
#include "sim/rollout/rollout_controller.hpp"

namespace fleetsim {

struct RegionResult {
  std::string name;
  double capacity_bps = 0;       // nominal shared-link capacity, bits/s
  double peak_egress_bps = 0;
  uint32_t peak_concurrent = 0;
};

// One device model of the fleet: its devices, its target image and the bytes its devices received
// (summed over the models, the fleet's bytes delivered).
struct ModelResult {
  std::string model;
  int64_t devices = 0;
  int64_t image_bytes = 0;       // the target's full image for the model (whole bytes)
  double bytes_delivered = 0;
};

struct AssertionResult {
  std::string metric;
  std::string at;                // "end" or a duration
  std::string op;
  std::string expected;          // as written
  std::string actual;            // "null" when the metric has no value
  bool passed = false;
  std::string pointer;
};

struct TimeseriesRow {
  double t = 0;
  std::array<int64_t, kDeviceStateCount> states{};
  std::vector<int64_t> versions;            // per version, in Results::versions order
  std::vector<uint32_t> active_transfers;   // per region
  std::vector<double> egress_bps;           // per region
  std::vector<double> capacity_bps;         // per region: its shared link after outages and degradations
  int64_t cdn_connections = 0;
  double requests_per_s = 0;                // update-service check-ins (individual + background)
  double update_capacity_per_s = 0;         // after brownouts; 0 = unlimited
  int64_t throttled = 0;                    // in this interval
  int64_t refused = 0;                      // in this interval
  int64_t released = 0;                     // cumulative devices released by the rollout
  int64_t held_back = 0;                    // targeted devices not started (World::held_back)
  int64_t failures = 0;                     // cumulative final failures
  int64_t notified = 0;                     // cumulative released devices that picked their job up
  std::vector<int64_t> cohort_on_target;    // per cohort, in Results::cohort_names order
  std::vector<int64_t> wave_succeeded;      // per wave: its devices updated so far
  std::string rollout_state;
  int wave = -1;
};

// Where a live view of a run (the metrics endpoint) reads the time-series samples taken so far,
// without seeing what takes them. The World is one.
class SampleSource {
 public:
  virtual ~SampleSource() = default;
  virtual const std::vector<TimeseriesRow>& samples() const = 0;
  // The firmware versions TimeseriesRow::versions counts, in that order.
  virtual const std::vector<std::string>& versions() const = 0;
};

// Per-device history, kept only with --trace-devices.
struct DeviceTrace {
  // released: the rollout released the device's execution; notified: the device picked it up
  // (its next poll, or at once over a push connection) — README "Outputs", devices.csv.
  double released = -1, notified = -1, download_start = -1, download_end = -1, installed = -1, finished = -1;
  uint32_t bytes = 0;
  uint16_t attempts = 0;
};

// A check a CI reader wants as its own JUnit test case besides assertions and gates, such as one
// HIL board update. A firmware problem is a failure; an infrastructure problem (board
// unreachable) is an error.
struct CheckResult {
  enum class Outcome { Passed, Failed, Error };
  std::string group;    // JUnit test suite, e.g. "hil"
  std::string name;     // e.g. "board emu-1 update to 1.3.0"
  Outcome outcome = Outcome::Passed;
  double seconds = 0;   // wall seconds the check took (0 when not timed)
  std::string message;  // one line: why it failed
  std::string detail;   // longer text: the steps and their timings
  // Name/value pairs a CI history can chart or filter by (JUnit <properties>), e.g. board.id.
  std::vector<std::pair<std::string, std::string>> properties;
};

struct Results {
  std::string scenario_name;
  std::string scenario_file;
  uint64_t seed = 0;
  std::string start;
  int64_t start_unix = 0;      // UTC seconds of simulated t = 0
  std::string scenario_document;  // scenario JSON after overrides (scenario.json)
  double duration = 0;
  int64_t devices = 0;
  int64_t eligible = 0;          // needing the update, in the cohorts the rollout targets
  int64_t excluded = 0;          // needing the update, in cohorts the rollout filter leaves out
  int64_t held_back = 0;         // targeted, needing the update, never started (World::held_back)
  std::string target_version;
  std::vector<std::string> versions;
  uint16_t target_index = 0;   // index of target_version in versions
  std::vector<std::string> cohort_names;
  std::vector<std::string> cohort_models;
  std::vector<std::string> cohort_regions;
  std::vector<int64_t> cohort_first;
  std::vector<bool> cohort_targeted;  // by the rollout filter

  std::string rollout_state;
  std::vector<Decision> decisions;
  std::vector<WaveOutcome> waves;
  std::vector<WaveTally> wave_tallies;

  std::array<int64_t, kDeviceStateCount> final_states{};
  std::vector<int64_t> final_versions;
  int64_t on_target = 0;
  std::map<int, std::optional<double>> time_to;   // 50, 90, 95, 99 -> seconds
  std::vector<RegionResult> regions;
  int64_t cdn_max_connections = 0;        // fleet-wide limit, 0 = unlimited
  double update_service_capacity = 0;     // check-ins per second, 0 = unlimited
  int64_t refused_connections = 0;
  int64_t throttled_requests = 0;
  int64_t broker_refused = 0;
  int64_t corrupt_downloads = 0;
  double bytes_delivered = 0;
  double bytes_retransmitted = 0;
  std::vector<ModelResult> models;   // in order of first use by a cohort
  double exposure_device_hours_old = 0;
  std::vector<AssertionResult> assertions;
  std::vector<Problem> warnings;     // the scenario's warnings (sim/scenario/scenario_warnings.hpp)
  std::vector<int64_t> update_duration_histogram;  // notified → updated, bins of histogram_bin
  double histogram_bin = 0;

  std::vector<CheckResult> checks;   // e.g. HIL board updates (not in summary.json)

  std::vector<TimeseriesRow> timeseries;
  // Per-device rows for devices.csv (only with --trace-devices).
  bool traced = false;
  std::vector<DeviceTrace> traces;
  std::vector<uint16_t> initial_version;
  std::vector<uint16_t> final_version;
  std::vector<DeviceState> final_state;

  bool all_assertions_passed() const {
    for (const auto& a : assertions)
      if (!a.passed) return false;
    return true;
  }
};

struct RunStats {
  std::string kernel;
  std::string network_model;  // the SimGrid kernel's network model; empty on the native kernel
  double wall_seconds = 0;
  uint64_t events = 0;
  double events_per_second = 0;
  int64_t peak_rss_bytes = 0;
  double bytes_per_device = 0;
  int64_t devices = 0;
  std::string host;
  std::string version;   // build_version() of the fleetsim that ran
  std::string revision;  // build_revision(): its git revision, or "unknown"
  // A sharded run (mpirun): one entry per rank, in rank order. `events` and `peak_rss_bytes`
  // above are then the sum over ranks and the largest rank's; `bytes_per_device` is every
  // rank's peak RSS summed, per device.
  std::vector<int64_t> rank_peak_rss_bytes;
  std::vector<uint64_t> rank_events;
  std::vector<int64_t> rank_devices;
  std::vector<std::string> rank_hosts;
};

}  // namespace fleetsim
