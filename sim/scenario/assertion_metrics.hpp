// The metrics a scenario's assertions may check (README "Scenario format", "Assertion metrics").
// This table is their one definition: the loader resolves a name to its id once, the JSON Schema
// lists the names with their help, the World evaluates an id with a switch, and a test keeps the
// README table equal to it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace fleetsim {

// In table order (kAssertionMetrics[size_t(m)] describes m).
enum class AssertionMetric : uint8_t {
  FleetOnTargetFraction,
  FleetOnTarget,
  DevicesUpdated,
  DevicesFailed,
  DevicesBricked,
  DevicesRolledBack,
  DevicesTimedOut,
  DevicesDownloadFailed,
  DevicesInstallFailed,
  DevicesPending,
  DevicesExcluded,
  DevicesHeldBack,
  DevicesCorruptDownloads,
  RolloutState,
  RolloutTimeTo50,
  RolloutTimeTo90,
  RolloutTimeTo95,
  RolloutTimeTo99,
  RolloutWavesCompleted,
  PlatformPeakEgressBps,
  PlatformPeakConcurrentTransfers,
  PlatformRefusedConnections,
  PlatformThrottledRequests,
  BytesDelivered,
  BytesRetransmitted,
  ExposureDeviceHoursOld,  // keep last: it sets kAssertionMetricCount
};

inline constexpr size_t kAssertionMetricCount = size_t(AssertionMetric::ExposureDeviceHoursOld) + 1;

// What a metric's value is: a number (World::metric_number) or a text (World::metric_text).
enum class MetricKind : uint8_t { Number, Text };

constexpr std::string_view to_string(MetricKind k) { return k == MetricKind::Number ? "number" : "text"; }

struct AssertionMetricInfo {
  AssertionMetric id;
  std::string_view name;  // as written in a scenario's "metric"
  MetricKind kind;
  std::string_view unit;  // empty for counts, fractions and texts
  std::string_view help;  // one line, without '|' (it is a cell of the README table)
};

inline constexpr std::array<AssertionMetricInfo, kAssertionMetricCount> kAssertionMetrics = {{
    {AssertionMetric::FleetOnTargetFraction, "fleet.on_target_fraction", MetricKind::Number, "",
     "share of the fleet on the target version, from 0 to 1 (the value may be written \"95%\")"},
    {AssertionMetric::FleetOnTarget, "fleet.on_target", MetricKind::Number, "",
     "devices on the target version, those that started on it included"},
    {AssertionMetric::DevicesUpdated, "devices.updated", MetricKind::Number, "",
     "devices in state updated: the target installed and its health check passed"},
    {AssertionMetric::DevicesFailed, "devices.failed", MetricKind::Number, "",
     "executions that failed for good (any failure, after the retries the rollout allows)"},
    {AssertionMetric::DevicesBricked, "devices.bricked", MetricKind::Number, "", "devices in state bricked"},
    {AssertionMetric::DevicesRolledBack, "devices.rolled_back", MetricKind::Number, "",
     "devices in state rolled_back"},
    {AssertionMetric::DevicesTimedOut, "devices.timed_out", MetricKind::Number, "", "devices in state timed_out"},
    {AssertionMetric::DevicesDownloadFailed, "devices.download_failed", MetricKind::Number, "",
     "devices in state download_failed"},
    {AssertionMetric::DevicesInstallFailed, "devices.install_failed", MetricKind::Number, "",
     "devices in state install_failed"},
    {AssertionMetric::DevicesPending, "devices.pending", MetricKind::Number, "",
     "released devices whose execution has not finished"},
    {AssertionMetric::DevicesExcluded, "devices.excluded", MetricKind::Number, "",
     "devices that need the update but the rollout filter leaves out"},
    {AssertionMetric::DevicesHeldBack, "devices.held_back", MetricKind::Number, "",
     "targeted devices that need the update and have no execution in progress or finished: not released "
     "(later waves, a pause or abort, a maintenance window) or canceled by an abort or rollback"},
    {AssertionMetric::DevicesCorruptDownloads, "devices.corrupt_downloads", MetricKind::Number, "",
     "downloads that failed checksum verification"},
    {AssertionMetric::RolloutState, "rollout.state", MetricKind::Text, "",
     "the rollout's state, one of the rollout states listed below (compared with == or !=)"},
    {AssertionMetric::RolloutTimeTo50, "rollout.time_to_50", MetricKind::Number, "s",
     "time from the start until 50 % of the fleet is on target (the value is a duration such as \"2h\")"},
    {AssertionMetric::RolloutTimeTo90, "rollout.time_to_90", MetricKind::Number, "s",
     "time from the start until 90 % of the fleet is on target (the value is a duration)"},
    {AssertionMetric::RolloutTimeTo95, "rollout.time_to_95", MetricKind::Number, "s",
     "time from the start until 95 % of the fleet is on target (the value is a duration)"},
    {AssertionMetric::RolloutTimeTo99, "rollout.time_to_99", MetricKind::Number, "s",
     "time from the start until 99 % of the fleet is on target (the value is a duration)"},
    {AssertionMetric::RolloutWavesCompleted, "rollout.waves_completed", MetricKind::Number, "",
     "waves whose gate passed"},
    {AssertionMetric::PlatformPeakEgressBps, "platform.peak_egress_bps", MetricKind::Number, "bit/s",
     "the largest regional peak of CDN egress (the value is a rate such as \"1Gbps\", or a number of bit/s)"},
    {AssertionMetric::PlatformPeakConcurrentTransfers, "platform.peak_concurrent_transfers", MetricKind::Number, "",
     "the largest regional peak of concurrent downloads"},
    {AssertionMetric::PlatformRefusedConnections, "platform.refused_connections", MetricKind::Number, "",
     "CDN connections refused over platform.cdn.max_connections"},
    {AssertionMetric::PlatformThrottledRequests, "platform.throttled_requests", MetricKind::Number, "",
     "device check-ins the update service turned away, plus idle polls over its capacity"},
    {AssertionMetric::BytesDelivered, "bytes.delivered", MetricKind::Number, "B",
     "firmware bytes the devices received (the value is a size such as \"2GiB\", or a number of bytes)"},
    {AssertionMetric::BytesRetransmitted, "bytes.retransmitted", MetricKind::Number, "B",
     "bytes downloaded again after a dropped connection or a failed checksum (a size, or a number of bytes)"},
    {AssertionMetric::ExposureDeviceHoursOld, "exposure.device_hours_old", MetricKind::Number, "device-hours",
     "time spent off the target version, summed over the devices"},
}};

constexpr bool ids_follow_table_order() {
  for (size_t i = 0; i < kAssertionMetrics.size(); ++i)
    if (size_t(kAssertionMetrics[i].id) != i) return false;
  return true;
}
static_assert(ids_follow_table_order(), "kAssertionMetrics rows must be in AssertionMetric order");

constexpr const AssertionMetricInfo& metric_info(AssertionMetric m) { return kAssertionMetrics[size_t(m)]; }

// The metric written `name` in a scenario, if there is one.
std::optional<AssertionMetric> find_assertion_metric(std::string_view name);

// A value of metric `m` in its unit, as people read it and as an assertion's "value" accepts it:
// durations "2h30m", rates "1.2Gbps", sizes "1.50MiB", other numbers as they are ("%.10g").
std::string format_metric_value(AssertionMetric m, double value);

}  // namespace fleetsim
