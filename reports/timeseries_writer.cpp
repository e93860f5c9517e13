#include <cstdio>

#include "reports/result_writers.hpp"

namespace fleetsim {

std::string timeseries_csv(const Results& r) {
  std::string out = "t_s";
  for (int s = 0; s < kDeviceStateCount; ++s) out += std::string(",state_") + kDeviceStateNames[size_t(s)];
  for (const std::string& v : r.versions) out += ",version_" + v;
  for (const RegionResult& g : r.regions)
    out += ",active_transfers_" + g.name + ",egress_bps_" + g.name + ",capacity_bps_" + g.name;
  const bool update_capacity = r.update_service_capacity > 0;
  out += ",cdn_connections,update_requests_per_s,";
  if (update_capacity) out += "update_capacity_per_s,";
  out += "throttled,refused,released,notified,held_back,failures,rollout_state,wave";
  // Progress of each cohort and each wave: a planner reads the canary and a small cohort here.
  for (const std::string& c : r.cohort_names) out += ",on_target_cohort_" + c;
  for (size_t w = 0; w < r.waves.size(); ++w) out += ",succeeded_wave_" + std::to_string(w);
  out += "\n";
  char buf[64];
  for (const TimeseriesRow& row : r.timeseries) {
    std::snprintf(buf, sizeof buf, "%.3f", row.t);
    out += buf;
    for (int64_t c : row.states) out += "," + std::to_string(c);
    for (int64_t c : row.versions) out += "," + std::to_string(c);
    for (size_t g = 0; g < row.active_transfers.size(); ++g) {
      std::snprintf(buf, sizeof buf, ",%u,%.1f,%.1f", row.active_transfers[g], row.egress_bps[g], row.capacity_bps[g]);
      out += buf;
    }
    std::snprintf(buf, sizeof buf, ",%lld,%.3f,", (long long)row.cdn_connections, row.requests_per_s);
    out += buf;
    if (update_capacity) {
      std::snprintf(buf, sizeof buf, "%.3f,", row.update_capacity_per_s);
      out += buf;
    }
    std::snprintf(buf, sizeof buf, "%lld,%lld,%lld,%lld,%lld,%lld,", (long long)row.throttled, (long long)row.refused,
                  (long long)row.released, (long long)row.notified, (long long)row.held_back, (long long)row.failures);
    out += buf;
    out += row.rollout_state + "," + std::to_string(row.wave);
    for (size_t c = 0; c < r.cohort_names.size(); ++c)
      out += "," + std::to_string(c < row.cohort_on_target.size() ? row.cohort_on_target[c] : 0);
    for (size_t w = 0; w < r.waves.size(); ++w)
      out += "," + std::to_string(w < row.wave_succeeded.size() ? row.wave_succeeded[w] : 0);
    out += "\n";
  }
  return out;
}

}  // namespace fleetsim
