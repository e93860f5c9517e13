#include "reports/run_outputs.hpp"

#include <stdexcept>

#include "reports/html_report.hpp"
#include "reports/junit_writer.hpp"
#include "reports/openmetrics_writer.hpp"
#include "reports/result_writers.hpp"
#include "reports/summary_markdown.hpp"
#include "reports/test_cases.hpp"

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

}  // namespace fleetsim
