#include "reports/run_outputs.hpp"

#include <cstdio>
#include <stdexcept>

#include "reports/html_report.hpp"
#include "reports/junit_writer.hpp"
#include "reports/openmetrics_writer.hpp"
#include "reports/result_writers.hpp"
#include "reports/summary_markdown.hpp"
#include "reports/test_cases.hpp"
#include "sim/core/units.hpp"

namespace fleetsim {

OutputFiles run_output_files(const Results& results, const RunStats& stats) {
  OutputFiles files = {{"summary.json", summary_json(results)},
                       {"timeseries.csv", timeseries_csv(results)},
                       {"run.json", run_json(stats)}};
  if (results.traced) files.push_back({"devices.csv", devices_csv(results)});
  if (!results.scenario_document.empty()) files.push_back({"scenario.json", results.scenario_document});
  const std::string checks = results.checks.empty() ? "" : checks_json(results.checks);
  if (!checks.empty()) files.push_back({"checks.json", checks});
  // The reports are made from the files' texts, exactly as `fleetsim report` reads them back.
  RunReportRead read = parse_run_report(files[0].second, files[1].second, results.scenario_document, checks);
  if (!read.report) throw std::logic_error("fleetsim wrote results it cannot read back: " + read.error);
  for (auto& file : report_output_files(*read.report)) files.push_back(std::move(file));
  return files;
}

OutputFiles report_output_files(const RunReport& report) {
  const std::string name = lookup(report.summary, "scenario").value("name", "");
  return {{"report.html", html_report(report)},
          {"junit.xml", junit_xml(name, {{"", run_test_cases(report)}})},
          {"summary.md", summary_markdown(report)},
          {"metrics.om", openmetrics_text(report)}};
}

const std::vector<std::string>& report_output_names() {
  static const std::vector<std::string> names = {"report.html", "junit.xml", "summary.md", "metrics.om"};
  return names;
}

const std::vector<std::string>& run_output_names() {
  static const std::vector<std::string> names = {"summary.json", "timeseries.csv", "run.json",   "devices.csv",
                                                 "scenario.json", "checks.json",   "report.html", "junit.xml",
                                                 "summary.md",   "metrics.om"};
  return names;
}

std::string Interruption::message() const {
  char seconds[64];
  std::snprintf(seconds, sizeof seconds, "%.3f", simulated_s);
  return "interrupted by " + signal + " at simulated t=" + units::format_duration(Seconds(simulated_s)) + " (" +
         seconds + " s)";
}

OutputFiles interrupted_output_files(const std::string& scenario_name, std::uint64_t seed,
                                     const std::string& scenario_document, const Interruption& why) {
  const nlohmann::ordered_json summary = {
      {"state", "interrupted"},
      {"interrupted", {{"signal", why.signal}, {"simulated_s", why.simulated_s}}},
      {"scenario", {{"name", scenario_name}, {"seed", seed}}}};
  CheckResult error;
  error.group = "run";
  error.name = "the run finished";
  error.outcome = CheckResult::Outcome::Error;
  error.message = why.message();
  error.detail = "fleetsim run stopped before the end of the scenario; it has no results. Run it again.";
  OutputFiles files = {{"summary.json", summary.dump(2) + "\n"}};
  if (!scenario_document.empty()) files.push_back({"scenario.json", scenario_document});
  files.push_back({"junit.xml", junit_xml(scenario_name, {{"", {error}}})});
  files.push_back({"summary.md", interrupted_summary_markdown(scenario_name, why.message())});
  return files;
}

}  // namespace fleetsim
