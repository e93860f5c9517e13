#include "reports/summary_metrics.hpp"

#include <algorithm>

#include "device-models/device_state.hpp"
#include "reports/run_report.hpp"

namespace fleetsim {

namespace {

using Json = nlohmann::ordered_json;

// A number, or null for anything else (a hand-edited or older summary.json).
Json number_or_null(const Json& v) { return v.is_number() ? v : Json(); }

Json devices_in(const Json& s, DeviceState state) {
  return number_or_null(lookup(s, "devices/by_state/" + std::string(to_string(state))));
}

// The largest regional value of `field` (the metric is the peak of the busiest region).
Json regional_peak(const Json& s, const char* field) {
  const Json& regions = lookup(s, "platform/regions");
  if (!regions.is_array()) return Json();
  double peak = 0;
  for (const Json& region : regions)
    if (const Json& v = lookup(region, field); v.is_number()) peak = std::max(peak, v.get<double>());
  return peak;
}

Json waves_passed(const Json& s) {
  const Json& waves = lookup(s, "rollout/waves");
  if (!waves.is_array()) return Json();
  double passed = 0;
  for (const Json& w : waves) passed += lookup(w, "result") == "passed";
  return passed;
}

// Every device belongs to one wave (an all-at-once rollout is one wave), and an execution that
// fails for good counts once, in its device's wave.
Json executions_failed(const Json& s) {
  const Json& waves = lookup(s, "rollout/waves");
  if (!waves.is_array()) return Json();
  double failed = 0;
  for (const Json& w : waves)
    if (const Json& n = lookup(w, "failed"); n.is_number()) failed += n.get<double>();
  return failed;
}

}  // namespace

bool summary_records(AssertionMetric m) { return m != AssertionMetric::DevicesPending; }

Json summary_metric_value(const Json& s, AssertionMetric m) {
  switch (m) {
    case AssertionMetric::FleetOnTargetFraction: return number_or_null(lookup(s, "devices/on_target_fraction"));
    case AssertionMetric::FleetOnTarget: return number_or_null(lookup(s, "devices/on_target"));
    case AssertionMetric::DevicesUpdated: return devices_in(s, DeviceState::Updated);
    case AssertionMetric::DevicesFailed: return executions_failed(s);
    case AssertionMetric::DevicesBricked: return devices_in(s, DeviceState::Bricked);
    case AssertionMetric::DevicesRolledBack: return devices_in(s, DeviceState::RolledBack);
    case AssertionMetric::DevicesTimedOut: return devices_in(s, DeviceState::TimedOut);
    case AssertionMetric::DevicesDownloadFailed: return devices_in(s, DeviceState::DownloadFailed);
    case AssertionMetric::DevicesInstallFailed: return devices_in(s, DeviceState::InstallFailed);
    case AssertionMetric::DevicesPending: return Json();  // summary_records
    case AssertionMetric::DevicesExcluded: return number_or_null(lookup(s, "devices/excluded"));
    case AssertionMetric::DevicesHeldBack: return number_or_null(lookup(s, "devices/held_back"));
    case AssertionMetric::DevicesCorruptDownloads: return number_or_null(lookup(s, "devices/corrupt_downloads"));
    case AssertionMetric::RolloutState: {
      const Json& state = lookup(s, "rollout/state");
      return state.is_string() ? state : Json();
    }
    case AssertionMetric::RolloutTimeTo50: return number_or_null(lookup(s, "rollout/time_to_s/p50"));
    case AssertionMetric::RolloutTimeTo90: return number_or_null(lookup(s, "rollout/time_to_s/p90"));
    case AssertionMetric::RolloutTimeTo95: return number_or_null(lookup(s, "rollout/time_to_s/p95"));
    case AssertionMetric::RolloutTimeTo99: return number_or_null(lookup(s, "rollout/time_to_s/p99"));
    case AssertionMetric::RolloutWavesCompleted: return waves_passed(s);
    case AssertionMetric::PlatformPeakEgressBps: return regional_peak(s, "peak_egress_bps");
    case AssertionMetric::PlatformPeakConcurrentTransfers: return regional_peak(s, "peak_concurrent_transfers");
    case AssertionMetric::PlatformRefusedConnections: return number_or_null(lookup(s, "platform/refused_connections"));
    case AssertionMetric::PlatformThrottledRequests: return number_or_null(lookup(s, "platform/throttled_requests"));
    case AssertionMetric::BytesDelivered: return number_or_null(lookup(s, "bytes/delivered"));
    case AssertionMetric::BytesRetransmitted: return number_or_null(lookup(s, "bytes/retransmitted"));
    case AssertionMetric::ExposureDeviceHoursOld:
      return number_or_null(lookup(s, "exposure/device_hours_on_old_version"));
  }
  return Json();
}

std::optional<double> summary_metric_number(const Json& s, AssertionMetric m) {
  const Json v = summary_metric_value(s, m);
  return v.is_number() ? std::optional<double>(v.get<double>()) : std::nullopt;
}

std::string summary_metric_text(const Json& s, AssertionMetric m) {
  const Json v = summary_metric_value(s, m);
  return v.is_string() ? v.get<std::string>() : "";
}

}  // namespace fleetsim
