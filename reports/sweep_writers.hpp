// The files of a parameter sweep (sim/scenario/sweep_plan.hpp): sweep.csv, one row per run, and
// sweep.html, a chart of each picked metric against each varied parameter and a table of each
// point with min / median / max across its seeds. Both show the verdict (sweep_verdict: pass, fail
// when an assertion or gate failed, error when the run ended without results) and the time to
// 50/90/95/99 % on target in hours.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/sweep_plan.hpp"

namespace fleetsim {

// A varied parameter whose values are all quantities of one kind, as numbers in one unit, so that
// the charts place them to scale: plain numbers (unit ""), rates (B/s when every value is written
// in bytes per second, else bit/s), per-second rates (/s), sizes (B), durations (s, min or h by the
// largest) and percentages (%). nullopt for anything else: the chart spaces its values evenly.
struct NumericAxis {
  std::vector<double> numbers;  // one per value, in the axis's order
  std::string unit;
  bool logarithmic = false;  // all positive and spanning a factor of 20 or more
};
std::optional<NumericAxis> numeric_axis(const SweepAxis& axis);

std::string sweep_csv(const SweepSpec& spec, const std::vector<SweepRun>& runs);
std::string sweep_html(const SweepSpec& spec, const std::vector<SweepRun>& runs);

}  // namespace fleetsim
