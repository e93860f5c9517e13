// The verdict policy: a run's test cases (assertions, gates, HIL board checks) decide its exit
// code (sim/core/exit_codes.hpp). Which cases a run has is the report's business
// (reports/test_cases.hpp); how they combine is decided here, once.
#pragma once

#include <vector>

#include "sim/results/results.hpp"

namespace fleetsim {

// kFailed when any case failed, else kInfrastructure when any case is an infrastructure error,
// else kOk. A demonstrated failure wins: a CI that retries exit 3 (infrastructure) must never
// retry a build that failed on another board or gate of the same run (README "Exit codes").
int exit_code_for(const std::vector<CheckResult>& cases);

// "passed", "failed" or "error".
const char* outcome_name(CheckResult::Outcome outcome);

}  // namespace fleetsim
