// The verdicts a CI reader sees as test cases: one per scenario assertion (suite "assertions"),
// one per wave gate the rollout reached (suite "gates"), then the run's own checks such as HIL
// board updates. junit.xml and summary.md render this list; the run's exit code follows from it.
//
// A gate that did not pass (it tripped, or the run ended before it passed) fails its test case,
// unless the scenario asserts the rollout's outcome (rollout.state or rollout.waves_completed):
// then those assertions are the verdict, as in a QA scenario that expects the canary gate to
// stop a bad build, and the gate's case passes with what happened as its message.
#pragma once

#include <vector>

#include "reports/run_report.hpp"
#include "sim/results/verdict.hpp"

namespace fleetsim {

std::vector<CheckResult> run_test_cases(const RunReport& report);

// The exit code of a run (`fleetsim run`) with these results.
int run_exit_code(const Results& results);

}  // namespace fleetsim
