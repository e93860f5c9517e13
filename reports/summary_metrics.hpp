// Where summary.json holds each assertion metric (sim/scenario/assertion_metrics.hpp) at the end
// of a run: the one definition that `fleetsim sweep` (which tabulates any metric of its finished
// runs, so picking other metrics with --metric needs no run computed again) and `fleetsim compare`
// (which sets two runs' values side by side) read summary.json by.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sim/scenario/assertion_metrics.hpp"

namespace fleetsim {

// Whether summary.json records metric `m` at the end of a run. One does not: devices.pending
// (executions in progress; a retried execution is released again before the failed one ends).
bool summary_records(AssertionMetric m);

// The metric's value as summary.json holds it (a number in the unit of its row of
// kAssertionMetrics: seconds, bit/s, bytes, device-hours; a text for rollout.state), or null when
// the summary holds none (a time_to_* threshold not reached, a metric it does not record, a
// malformed file).
nlohmann::ordered_json summary_metric_value(const nlohmann::ordered_json& summary, AssertionMetric m);

// A number metric's value; nullopt when summary_metric_value is not a number.
std::optional<double> summary_metric_number(const nlohmann::ordered_json& summary, AssertionMetric m);

// A text metric's value (rollout.state); "" when absent.
std::string summary_metric_text(const nlohmann::ordered_json& summary, AssertionMetric m);

}  // namespace fleetsim
