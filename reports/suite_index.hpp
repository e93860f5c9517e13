// suite.html: the index page of a scenario suite (`fleetsim suite`), one row per scenario with
// its verdict, rollout outcome and test cases, linking each run's own report.html.
#pragma once

#include <string>
#include <vector>

#include "sim/results/results.hpp"

namespace fleetsim {

struct SuiteEntry {
  std::string file;   // scenario file, relative to the suite directory
  std::string out;    // its results directory, relative to the suite's output directory
  int exit_code = 0;  // of `fleetsim run`: 0, 1, 2 invalid scenario, 3 (or 128+signal) infrastructure
  std::string log;    // what the run printed (the problems of an invalid scenario)
  std::vector<CheckResult> cases;
  std::string rollout_state;
  double on_target_fraction = 0;
};

std::string suite_index_html(const std::string& title, const std::vector<SuiteEntry>& entries);

}  // namespace fleetsim
