// Compares two results directories of the same scenario (README "Kernels: native and SimGrid"): typically one run on
// the native kernel and one on the SimGrid kernel, or SimGrid's max-min against its CM02 or LV08
// model. Device by device from devices.csv (runs made with --trace-devices): outcomes, versions,
// attempts and bytes must be equal, times equal within a relative tolerance. This is what lets a
// capacity planner check on their own scenario that the fast kernel gives the reference answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fleetsim {

struct RunComparison {
  std::string dir_a, dir_b;
  std::string label_a, label_b;  // kernel (and network model) from run.json, when present
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
  struct Figure {
    std::string name;
    std::string a, b;  // as in summary.json ("null" when absent)
  };
  std::vector<Figure> summary;  // a few headline results side by side

  bool agrees() const {
    return different_outcome == 0 && different_version == 0 && different_attempts == 0 && different_bytes == 0 &&
           times_beyond_tolerance == 0 && times_missing_in_one == 0;
  }
};

// Reads both folders through their manifests (reports/results_folder.hpp): an incomplete, mixed
// or interrupted folder is refused. On a missing or malformed file, returns nullopt and sets `error` to a
// message naming the file and the fix.
std::optional<RunComparison> compare_runs(const std::string& dir_a, const std::string& dir_b, double tolerance,
                                          std::string& error);

// A plain-text report, one finding per line, ending with the verdict.
std::string format_comparison(const RunComparison& c);

}  // namespace fleetsim
