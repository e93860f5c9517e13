// metrics.om: a run's time series (timeseries.csv) in the OpenMetrics text format, stamped with
// simulated time (the scenario's start + t), for `promtool tsdb create-blocks-from openmetrics`
// so that a simulated rollout can be browsed in Prometheus / Grafana. Names follow Prometheus
// conventions: fleetsim_ prefix, base units (bytes, seconds), _total for counters.
#pragma once

#include <string>

#include "reports/run_report.hpp"
#include "sim/scenario/rollout_state.hpp"  // kRolloutStates: the rollout_state gauge's labels

namespace fleetsim {

std::string openmetrics_text(const RunReport& report);

// A label value escaped for the Prometheus / OpenMetrics text formats.
std::string label_escape(const std::string& value);

}  // namespace fleetsim
