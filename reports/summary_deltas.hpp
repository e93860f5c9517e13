// The headline results of two runs side by side with their differences, for `fleetsim compare`:
// every assertion metric summary.json records (reports/summary_metrics.hpp; names, units and how
// values are written: sim/scenario/assertion_metrics.hpp), and the peak egress and concurrent
// transfers of every region.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/assertion_metrics.hpp"

namespace fleetsim {

struct SummaryDelta {
  std::string name;              // the metric's name, and the region for per-region rows ("... us-east")
  AssertionMetric metric;        // unit and how values are written
  nlohmann::ordered_json a, b;   // as in summary.json; null when a run's summary lacks it
  std::optional<double> delta;   // b − a, when both are numbers
  std::optional<double> change;  // (b − a) / |a|, when both are numbers and a ≠ 0
  std::string a_text, b_text, delta_text, change_text;  // as the console and the page show them ("—" for none)
};

// Rows in the order of kAssertionMetrics, then the per-region rows: regions in A's order, then those only B has.
std::vector<SummaryDelta> summary_deltas(const nlohmann::ordered_json& summary_a,
                                         const nlohmann::ordered_json& summary_b);

}  // namespace fleetsim
