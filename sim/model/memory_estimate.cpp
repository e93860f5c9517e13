#include "sim/model/memory_estimate.hpp"

#include <algorithm>
#include <set>

#include "device-models/device_state.hpp"
#include "sim/core/units.hpp"
#include "sim/kernel/event_record.hpp"
#include "sim/results/results.hpp"

namespace fleetsim {

namespace {

// Calibrated against peak RSS (run.json) of scenarios/quickstart.json, bench/million.json and
// bench/ten-million.json (README "Limits" has the table):
// - the program, its libraries and the fixed tables of a small run (5000 devices, 61 samples:
//   38.7 MB);
constexpr double kBaseBytes = 38 << 20;
// - per device, besides its record: its pending events in the radix queue (vectors that grow by
//   doubling), the rollout order and window queues: the 9M devices ten-million has more than
//   million took 86 B each, and the record is 36 B;
constexpr double kPerDeviceOverhead = 52;
// - per device on SimGrid: its host, access link and actor state (README: 100,000 devices in
//   about 240 MiB, of which about 55 MB are the native run's);
constexpr double kPerDeviceSimgrid = 2000;
// - per device with --trace-devices: the trace, its copy in the results and its devices.csv row
//   (135 B in quickstart's), which took 229 B per device in quickstart;
constexpr double kPerTracedDevice = sizeof(DeviceTrace) + 56 + 135;
// - per time-series row and per value in it (versions + 2 per region + cohorts + waves): the row
//   and its vectors (with allocator headers), its timeseries.csv line and its share of metrics.om
//   and report.html; 7140 more samples of 9 values took 870 B each.
constexpr double kPerSample = sizeof(TimeseriesRow) + 5 * 32 + 150;
constexpr double kPerSampleValue = 35;

}  // namespace

MemoryEstimate estimate_run_memory(const Scenario& s, bool trace_devices, bool simgrid) {
  const double devices = double(s.device_count());
  std::set<std::string> versions{s.firmware.target};
  for (const Cohort& c : s.cohorts)
    for (const auto& share : c.firmware) versions.insert(share.first);
  const double samples = s.duration.value / s.output.sample_interval.value + 2;
  const double values = double(versions.size()) + 2.0 * double(s.regions.size()) + double(s.cohorts.size()) +
                        double(std::max<size_t>(1, s.rollout.waves.size()));
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
