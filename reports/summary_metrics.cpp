#include "reports/summary_metrics.hpp"

#include <algorithm>
#include <initializer_list>

#include "device-models/device_state.hpp"

namespace fleetsim {

namespace {

using Json = nlohmann::json;

const Json* find(const Json& j, std::initializer_list<const char*> path) {
  const Json* p = &j;
  for (const char* key : path) {
    if (!p->is_object() || !p->contains(key)) return nullptr;
    p = &(*p)[key];
  }
  return p;
}

std::optional<double> number_at(const Json& j, std::initializer_list<const char*> path) {
  const Json* p = find(j, path);
  if (!p || !p->is_number()) return std::nullopt;
  return p->get<double>();
}

std::optional<double> devices_in(const Json& s, DeviceState state) {
  const Json* by_state = find(s, {"devices", "by_state"});
  if (!by_state || !by_state->is_object() || !by_state->contains(to_string(state))) return std::nullopt;
  const Json& n = (*by_state)[to_string(state)];
  return n.is_number() ? std::optional<double>(n.get<double>()) : std::nullopt;
}

// The largest regional value of `field` (the metric is the peak of the busiest region).
std::optional<double> regional_peak(const Json& s, const char* field) {
  const Json* regions = find(s, {"platform", "regions"});
  if (!regions || !regions->is_array()) return std::nullopt;
  double peak = 0;
  for (const Json& region : *regions)
    if (region.is_object() && region.contains(field) && region[field].is_number())
      peak = std::max(peak, region[field].get<double>());
  return peak;
}

std::optional<double> waves_passed(const Json& s) {
  const Json* waves = find(s, {"rollout", "waves"});
  if (!waves || !waves->is_array()) return std::nullopt;
  double passed = 0;
  for (const Json& w : *waves) passed += w.is_object() && w.value("result", "") == "passed";
  return passed;
}

// Every device belongs to one wave (an all-at-once rollout is one wave), and an execution that
// fails for good counts once, in its device's wave.
std::optional<double> executions_failed(const Json& s) {
  const Json* waves = find(s, {"rollout", "waves"});
  if (!waves || !waves->is_array()) return std::nullopt;
  double failed = 0;
  for (const Json& w : *waves)
    if (w.is_object() && w.contains("failed") && w["failed"].is_number()) failed += w["failed"].get<double>();
  return failed;
}

}  // namespace

bool summary_records(AssertionMetric m) { return m != AssertionMetric::DevicesPending; }

std::optional<double> summary_metric_number(const Json& s, AssertionMetric m) {
  switch (m) {
    case AssertionMetric::FleetOnTargetFraction: return number_at(s, {"devices", "on_target_fraction"});
    case AssertionMetric::FleetOnTarget: return number_at(s, {"devices", "on_target"});
    case AssertionMetric::DevicesUpdated: return devices_in(s, DeviceState::Updated);
    case AssertionMetric::DevicesFailed: return executions_failed(s);
    case AssertionMetric::DevicesBricked: return devices_in(s, DeviceState::Bricked);
    case AssertionMetric::DevicesRolledBack: return devices_in(s, DeviceState::RolledBack);
    case AssertionMetric::DevicesTimedOut: return devices_in(s, DeviceState::TimedOut);
    case AssertionMetric::DevicesDownloadFailed: return devices_in(s, DeviceState::DownloadFailed);
    case AssertionMetric::DevicesInstallFailed: return devices_in(s, DeviceState::InstallFailed);
    case AssertionMetric::DevicesPending: return std::nullopt;  // summary_records
    case AssertionMetric::DevicesExcluded: return number_at(s, {"devices", "excluded"});
    case AssertionMetric::DevicesHeldBack: return number_at(s, {"devices", "held_back"});
    case AssertionMetric::DevicesCorruptDownloads: return number_at(s, {"devices", "corrupt_downloads"});
    case AssertionMetric::RolloutState: return std::nullopt;  // a text: summary_metric_text
    case AssertionMetric::RolloutTimeTo50: return number_at(s, {"rollout", "time_to_s", "p50"});
    case AssertionMetric::RolloutTimeTo90: return number_at(s, {"rollout", "time_to_s", "p90"});
    case AssertionMetric::RolloutTimeTo95: return number_at(s, {"rollout", "time_to_s", "p95"});
    case AssertionMetric::RolloutTimeTo99: return number_at(s, {"rollout", "time_to_s", "p99"});
    case AssertionMetric::RolloutWavesCompleted: return waves_passed(s);
    case AssertionMetric::PlatformPeakEgressBps: return regional_peak(s, "peak_egress_bps");
    case AssertionMetric::PlatformPeakConcurrentTransfers: return regional_peak(s, "peak_concurrent_transfers");
    case AssertionMetric::PlatformRefusedConnections: return number_at(s, {"platform", "refused_connections"});
    case AssertionMetric::PlatformThrottledRequests: return number_at(s, {"platform", "throttled_requests"});
    case AssertionMetric::BytesDelivered: return number_at(s, {"bytes", "delivered"});
    case AssertionMetric::BytesRetransmitted: return number_at(s, {"bytes", "retransmitted"});
    case AssertionMetric::ExposureDeviceHoursOld: return number_at(s, {"exposure", "device_hours_on_old_version"});
  }
  return std::nullopt;
}

std::string summary_metric_text(const Json& s, AssertionMetric m) {
  if (m != AssertionMetric::RolloutState) return "";
  const Json* state = find(s, {"rollout", "state"});
  return state && state->is_string() ? state->get<std::string>() : "";
}

}  // namespace fleetsim
