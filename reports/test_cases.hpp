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

namespace fleetsim {

std::vector<CheckResult> run_test_cases(const RunReport& report);

// 0 when every case passed, 3 when any case is an infrastructure error, else 1.
int exit_code_for(const std::vector<CheckResult>& cases);

// The exit code of a run (`fleetsim run`) with these results.
int run_exit_code(const Results& results);

// "passed", "failed" or "error".
const char* outcome_name(CheckResult::Outcome outcome);

}  // namespace fleetsim
