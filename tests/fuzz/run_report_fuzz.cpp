// Fuzzes the reader of `fleetsim report DIR` (reports/run_report): the input's parts become
// summary.json, timeseries.csv, scenario.json and checks.json of a results folder, which is read
// back and turned into report.html, junit.xml, summary.md and metrics.om as the command does.
// The command reports nlohmann::json exceptions as bad input (exit 2); any other exception or a
// crash is a finding.
#include <cstdint>
#include <string>
#include <vector>

#include "reports/run_outputs.hpp"
#include "reports/run_report.hpp"
#include "reports/test_cases.hpp"
#include "tests/fuzz/fuzz_input.hpp"
#include "tests/fuzz/results_folder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fleetsim::fuzz::ResultsFolder folder("run");
  const std::vector<std::string> parts = fleetsim::fuzz::split_parts(data, size, 4);
  const char* const names[] = {"summary.json", "timeseries.csv", "scenario.json", "checks.json"};
  std::vector<std::pair<std::string, std::string>> files;
  for (std::size_t i = 0; i < parts.size(); ++i) files.emplace_back(names[i], parts[i]);
  folder.commit(files);
  const fleetsim::RunReportRead read = fleetsim::read_run_report(folder.path());
  if (!read.report) {
    if (read.error.empty()) __builtin_trap();  // rejected without saying why
    return 0;
  }
  try {
    (void)fleetsim::report_output_files(*read.report);
    (void)fleetsim::exit_code_for(fleetsim::run_test_cases(*read.report));
  } catch (const nlohmann::json::exception&) {
    // `fleetsim report` says "summary.json: unexpected content" and exits 2.
  }
  return 0;
}
