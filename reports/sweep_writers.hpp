// The files of a parameter sweep (sim/scenario/sweep_plan.hpp): sweep.csv, one row per run, and
// sweep.html, the key results of each point with min / median / max across its seeds.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/sweep_plan.hpp"

namespace fleetsim {

std::string sweep_csv(const SweepSpec& spec, const std::vector<SweepRun>& runs);
std::string sweep_html(const SweepSpec& spec, const std::vector<SweepRun>& runs);

}  // namespace fleetsim
