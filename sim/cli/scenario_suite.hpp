// `fleetsim suite DIR`: every scenario file under DIR, run each in its own fleetsim process (so
// one crash or one huge scenario cannot take the others down, and --jobs runs them side by
// side), then one JUnit file and an index page (suite.html) linking each run's report.html.
//
// Which files: every *.json under DIR, recursively, in path order, except JSON Schemas (a
// top-level "$schema" naming json-schema.org, e.g. scenarios/scenario.schema.json) and paths
// matching an --exclude glob (matched against the path relative to DIR and each of its parent
// folders, so "bench" or "bench/*" leave out scenarios/bench/).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "reports/suite_index.hpp"
#include "sim/core/child_process.hpp"

namespace fleetsim {

struct SuiteOptions {
  std::string dir;
  std::string out;                    // one sub-directory per scenario, suite.html
  std::string junit;                  // suite JUnit file
  std::vector<std::string> excludes;  // globs
  int jobs = 1;
  ChildLimits limits;    // per scenario run
  std::string fleetsim;  // the fleetsim binary that runs each scenario
};

// Scenario files under `dir` (relative paths, '/'-separated, sorted), with the rule above.
// `skipped` receives the JSON Schemas and excluded files.
std::vector<std::string> suite_scenario_files(const std::string& dir, const std::vector<std::string>& excludes,
                                              std::vector<std::string>& skipped);

// Runs the suite and writes suite.html and the JUnit file. Returns the exit code: 2 when a
// scenario is invalid, else 3 on an infrastructure failure, else 1 when a case failed, else 0.
// Progress and problems go to `log` (stderr).
int run_suite(const SuiteOptions& options, std::ostream& log);

}  // namespace fleetsim
