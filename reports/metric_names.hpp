// Names and help texts of the Prometheus metrics, shared by the OpenMetrics file (metrics.om) and
// the live endpoint (--metrics-listen) so that one Grafana dashboard (reports/grafana-dashboard.json)
// reads both. Counter names are given without their "_total" suffix.
#pragma once

namespace fleetsim::metric {

struct Name {
  const char* name;
  const char* help;
};

inline constexpr Name kDevicesInState{"fleetsim_devices_in_state", "Devices in each update state."};
inline constexpr Name kDevicesOnVersion{"fleetsim_devices_on_version", "Devices running each firmware version."};
inline constexpr Name kActiveTransfers{"fleetsim_region_active_transfers", "Image downloads in progress per region."};
inline constexpr Name kEgress{"fleetsim_region_egress_bytes_per_second", "CDN egress per region."};
inline constexpr Name kEgressCapacity{"fleetsim_region_egress_capacity_bytes_per_second",
                                      "CDN egress capacity per region."};
inline constexpr Name kCdnConnections{"fleetsim_cdn_connections", "Open CDN connections, all regions."};
inline constexpr Name kCdnMaxConnections{"fleetsim_cdn_max_connections", "Fleet-wide CDN connection limit."};
inline constexpr Name kUpdateRequests{"fleetsim_update_requests", "Update-service check-ins."};
inline constexpr Name kUpdateCapacity{"fleetsim_update_service_capacity_requests_per_second",
                                      "Update-service capacity."};
inline constexpr Name kThrottled{"fleetsim_update_requests_throttled", "Check-ins the update service throttled."};
inline constexpr Name kRefused{"fleetsim_cdn_connections_refused", "CDN connections refused at the limit."};
inline constexpr Name kReleased{"fleetsim_rollout_released_devices", "Devices the rollout has released."};
inline constexpr Name kFailed{"fleetsim_rollout_failed_devices", "Devices whose update failed for good."};
inline constexpr Name kWave{"fleetsim_rollout_wave", "Current rollout wave (-1 before the first)."};
inline constexpr Name kRolloutState{"fleetsim_rollout_state", "1 for the rollout's current state."};

}  // namespace fleetsim::metric
