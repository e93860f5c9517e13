// The final value of an assertion metric (sim/scenario/assertion_metrics.hpp) read back from a
// finished run's summary.json: what `fleetsim sweep` tabulates for each run, so that picking other
// metrics (--metric) needs no run computed again.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sim/scenario/assertion_metrics.hpp"

namespace fleetsim {

// Whether summary.json records metric `m` at the end of a run. One does not: devices.pending
// (executions in progress; a retried execution is released again before the failed one ends).
bool summary_records(AssertionMetric m);

// A number metric's value at the end of the run, in the unit of its row of kAssertionMetrics
// (seconds, bit/s, bytes, device-hours); nullopt when summary.json holds none (a time_to_*
// threshold not reached, a metric it does not record, a malformed file).
std::optional<double> summary_metric_number(const nlohmann::json& summary, AssertionMetric m);

// A text metric's value (rollout.state); "" when absent.
std::string summary_metric_text(const nlohmann::json& summary, AssertionMetric m);

}  // namespace fleetsim
