// summary.md: a run in a few lines and tables of Markdown, for CI step summaries (e.g.
// $GITHUB_STEP_SUMMARY): the verdict, the rollout outcome, every test case (assertions, gates,
// checks), the platform peaks and the controller's decisions.
#pragma once

#include <string>

#include "reports/run_report.hpp"

namespace fleetsim {

std::string summary_markdown(const RunReport& report);

// summary.md of a run stopped by a signal: the verdict "interrupted" and why, no results.
std::string interrupted_summary_markdown(const std::string& scenario_name, const std::string& why);

}  // namespace fleetsim
