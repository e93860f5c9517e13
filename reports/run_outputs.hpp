// The set of files one run writes into its output directory (README "Outputs"), as (file name,
// content) pairs; the caller writes them as one unit with commit_results
// (reports/results_folder.hpp), which adds manifest.json.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sim/results/results.hpp"
#include "reports/run_report.hpp"

namespace fleetsim {

using OutputFiles = std::vector<std::pair<std::string, std::string>>;

// summary.json, timeseries.csv, run.json, devices.csv (with --trace-devices), scenario.json,
// checks.json (when the run has checks), then the report_output_files.
OutputFiles run_output_files(const Results& results, const RunStats& stats);

// The files made from a run's results alone, which `fleetsim report DIR` regenerates:
// report.html, junit.xml, summary.md and metrics.om.
OutputFiles report_output_files(const RunReport& report);
// Their names.
const std::vector<std::string>& report_output_names();

// Every name a run may write (manifest.json aside): a new run removes the ones it does not write.
const std::vector<std::string>& run_output_names();

// A run stopped by SIGINT or SIGTERM before its end.
struct Interruption {
  std::string signal;        // "SIGINT", "SIGTERM"
  double simulated_s = 0;    // simulated time reached
  std::string message() const;  // "interrupted by SIGINT at simulated t=3h20m (12000 s)"
};

// What an interrupted run leaves instead of results, so that no earlier pass survives it:
// summary.json {"state": "interrupted", …}, scenario.json (when given), junit.xml with one <error>
// and summary.md saying so.
OutputFiles interrupted_output_files(const std::string& scenario_name, std::uint64_t seed,
                                     const std::string& scenario_document, const Interruption& why);

}  // namespace fleetsim
