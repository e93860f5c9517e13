// What a report shades on its time axes: the scenario's faults (outages, CDN degradations,
// update-service brownouts, corrupt artifacts; bad builds and power losses as instants) and the
// rollout's maintenance window, per time zone of the cohorts, as intervals of simulated time.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace fleetsim {

struct TimeBand {
  std::string kind;   // outage, degradation, brownout, corrupt_artifact, bad_build, power_loss, maintenance
  std::string label;  // what a reader sees on hover, e.g. "us-east outage 40h–40h45m"
  double from_s = 0;  // simulated seconds, clamped to [0, duration]
  double to_s = 0;    // == from_s for an instant
  int lane = -1;      // maintenance windows: one lane per time zone (0, 1, …); -1 for faults
};

// Faults in scenario order (those under regions first, region by region), then the maintenance
// windows, zone by zone in cohort order. Window edges are whole UTC minutes, as the World checks
// them.
std::vector<TimeBand> time_bands(const Scenario& s);

}  // namespace fleetsim
