// A run's results as read back from its output files (summary.json, timeseries.csv,
// scenario.json, checks.json). The report writers (report.html, junit.xml, summary.md,
// metrics.om) work from this and nothing else, so `fleetsim report DIR` regenerates exactly what
// the run wrote.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reports/results_folder.hpp"
#include "sim/results/results.hpp"

namespace fleetsim {

// timeseries.csv by column.
struct Timeseries {
  std::vector<std::string> columns;         // numeric columns in file order, "t_s" first
  std::vector<std::vector<double>> values;  // values[column][row]
  std::vector<std::string> rollout_state;   // the one text column, per row

  size_t rows() const { return values.empty() ? 0 : values[0].size(); }
  // The column called `name`, or nullptr.
  const std::vector<double>* column(const std::string& name) const;
  // Names of the columns starting with `prefix`, with the prefix removed, in file order.
  std::vector<std::string> suffixes(const std::string& prefix) const;
};

struct RunReport {
  nlohmann::ordered_json summary;  // summary.json
  Timeseries timeseries;
  std::string scenario;             // scenario.json text, "" when the directory has none
  std::vector<CheckResult> checks;  // checks.json (HIL board updates and the like)
};

struct RunReportRead {
  std::optional<RunReport> report;
  std::string error;         // names the file and what is wrong
  bool interrupted = false;  // the folder holds a run stopped by a signal (its manifest says so)
  std::vector<ResultFile> files;  // the folder's files as its manifest lists them (read_run_report)
  std::string run_id;             // and its run id
  std::map<std::string, std::string> also;  // the verified texts of read_run_report's `also` files it lists
};

// Parses the files' texts; scenario.json and checks.json may be "" (absent). Errors name `dir`'s
// files.
RunReportRead parse_run_report(const std::string& summary_json, const std::string& timeseries_csv,
                               const std::string& scenario_json, const std::string& checks_json,
                               const std::string& dir = ".");
// Reads a run's output folder through its manifest (reports/results_folder.hpp): an incomplete or
// mixed folder is an error; summary.json and timeseries.csv are required, scenario.json and
// checks.json read when the manifest lists them; the reports may be missing (they are made from
// the rest). The files named in `also` (devices.csv, run.json: what `fleetsim compare` reads too)
// are read and verified when the manifest lists them.
RunReportRead read_run_report(const std::string& dir, const std::vector<std::string>& also = {});

// The value at `path` in `j` (object keys separated by '/', e.g. "rollout/waves"), or null when a
// step is missing or not an object: summary.json may come from an older fleetsim or be edited by
// hand, and a missing field must not stop a report (a wrongly typed one throws
// nlohmann::json::exception, which callers report as bad input).
const nlohmann::ordered_json& lookup(const nlohmann::ordered_json& j, std::string_view path);

// The integer at `key` of the object `j`, or `fallback` when absent. fleetsim writes these as JSON
// integers; any other value (1.5, 1e300, "3") throws nlohmann::json::type_error, a wrongly typed
// field. nlohmann's value<int64_t>() would cast a float instead, which is undefined behaviour
// beyond int64's range (found by tests/fuzz/run_report_fuzz.cpp).
int64_t integer_value(const nlohmann::ordered_json& j, const char* key, int64_t fallback);

// checks.json: Results::checks, written only when a run has checks (their timings are wall
// time, so they are kept out of the deterministic summary.json).
std::string checks_json(const std::vector<CheckResult>& checks);

}  // namespace fleetsim
