// Compares two runs' results folders (README "Comparing runs"). Always: what differs between their
// effective scenarios (scenario.json, reports/scenario_diff.hpp) and their headline results side
// by side with the differences (reports/summary_deltas.hpp): a baseline against a variant, such
// as a scenario with and without a fault or with two rollout strategies.
// Two runs of one scenario (they may differ in /kernel settings) are also compared device by device
// from devices.csv (runs made with --trace-devices): typically one run on the native kernel and
// one on the SimGrid kernel, or SimGrid's max-min against its CM02 or LV08 model (README "Kernels:
// native and SimGrid"). Outcomes, versions, attempts and bytes must be equal, times equal within a
// relative tolerance. This is what lets a capacity planner check on their own scenario that the
// fast kernel gives the reference answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/run_report.hpp"
#include "reports/scenario_diff.hpp"
#include "reports/summary_deltas.hpp"

namespace fleetsim {

struct RunComparison {
  std::string dir_a, dir_b;
  std::string label_a, label_b;  // kernel (and network model) from run.json, when present
  std::string name_a, name_b;    // what the page calls each run: its folder's name (the paths if both are alike)
  RunReport report_a, report_b;  // summary.json, timeseries.csv and scenario.json of each run
  nlohmann::ordered_json charts_a, charts_b;  // each report's chart_data (reports/html_report.hpp)

  // Between the effective scenarios, /kernel settings included. When a folder has no scenario.json
  // (written by an older fleetsim), only the scenario names and seeds of summary.json are compared
  // and `scenario_note` says so.
  std::vector<ScenarioDifference> scenario_differences;
  std::string scenario_note;
  std::vector<SummaryDelta> summary;

  // Device by device: only for runs of one scenario (devices_compared).
  bool devices_compared = false;
  double tolerance = 1e-6;
  int64_t devices = 0;
  int64_t different_outcome = 0, different_version = 0, different_attempts = 0, different_bytes = 0;
  int64_t times_compared = 0, times_beyond_tolerance = 0;  // notified … finished, both present
  int64_t times_missing_in_one = 0;                          // a phase one run reached and the other not
  double worst_relative = 0;                                 // over the times compared
  std::string worst_where;                                   // "device 12 download_end_s: 3.5 vs 3.6"
  // Download durations (end − start) of devices that downloaded once in both runs: B / A − 1.
  int64_t durations = 0;
  double duration_median = 0, duration_p95 = 0, duration_max = 0;

  // No difference outside /kernel.
  bool same_scenario() const;
  // One scenario, and every device has the same outcome and times within the tolerance.
  bool agrees() const {
    return same_scenario() && devices_compared && different_outcome == 0 && different_version == 0 &&
           different_attempts == 0 && different_bytes == 0 && times_beyond_tolerance == 0 &&
           times_missing_in_one == 0;
  }
};

// Reads both folders through their manifests (reports/results_folder.hpp): an incomplete, mixed
// or interrupted folder is refused, and so are runs of one scenario without devices.csv. On a
// missing or malformed file, returns nullopt and sets `error` to a message naming the file and the fix.
std::optional<RunComparison> compare_runs(const std::string& dir_a, const std::string& dir_b, double tolerance,
                                          std::string& error);

// A plain-text report, one finding per line, ending with the verdict. At most `max_differences`
// scenario differences are listed (then how many more there are).
constexpr size_t kListedDifferences = 40;
std::string format_comparison(const RunComparison& c, size_t max_differences = kListedDifferences);

}  // namespace fleetsim
