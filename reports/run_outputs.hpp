// The set of files one run writes into its output directory (README "Outputs"), as (file name,
// content) pairs; the caller writes them together with write_files_atomically.
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

}  // namespace fleetsim
