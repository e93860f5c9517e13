#include "reports/suite_index.hpp"

#include <cstdio>

#include "reports/html_report.hpp"
#include "reports/markup_escape.hpp"

namespace fleetsim {

namespace {

const char* verdict(const SuiteEntry& e) {
  switch (e.exit_code) {
    case 0:
      return "passed";
    case 1:
      return "failed";
    case 2:
      return "invalid";
    default:
      return "error";
  }
}

}  // namespace

std::string suite_index_html(const std::string& title, const std::vector<SuiteEntry>& entries) {
  int counts[4] = {0, 0, 0, 0};
  for (const SuiteEntry& e : entries) ++counts[e.exit_code >= 0 && e.exit_code <= 2 ? e.exit_code : 3];
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + xml_escape(title) +
                  "</title>\n<style>\n" + report_asset("report.css") +
                  "td.passed { color: #2e7d32; } td.failed, td.invalid { color: #c62828; font-weight: bold; }\n"
                  "td.error { color: #ef6c00; font-weight: bold; }\n</style>\n</head>\n<body>\n<h1>" +
                  xml_escape(title) + "</h1>\n<p>" + std::to_string(entries.size()) +
                  " scenarios: " + std::to_string(counts[0]) + " passed, " + std::to_string(counts[1]) + " failed, " +
                  std::to_string(counts[2]) + " invalid, " + std::to_string(counts[3]) + " could not run.</p>\n";
  h += "<table>\n<tr><th>Scenario</th><th>Verdict</th><th>Rollout</th><th>On target</th><th>Cases passed</th>"
       "<th>Failed cases</th></tr>\n";
  for (const SuiteEntry& e : entries) {
    const bool ran = e.exit_code == 0 || e.exit_code == 1;
    h += "<tr><td>";
    h += ran ? "<a href=\"" + xml_escape(e.out) + "/report.html\">" + xml_escape(e.file) + "</a>" : xml_escape(e.file);
    h += std::string("</td><td class=\"") + verdict(e) + "\">" + verdict(e) + "</td>";
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.2f %%", 100.0 * e.on_target_fraction);
    h += "<td>" + xml_escape(e.rollout_state) + "</td><td>" + (ran ? pct : "") + "</td>";
    int passed = 0;
    std::string failed;
    for (const CheckResult& c : e.cases) {
      if (c.outcome == CheckResult::Outcome::Passed)
        ++passed;
      else
        failed += c.group + ": " + c.name + " — " + c.message + "\n";
    }
    h += "<td>" + std::to_string(passed) + " / " + std::to_string(e.cases.size()) + "</td><td>" + xml_escape(failed) +
         "</td></tr>\n";
  }
  h += "</table>\n</body>\n</html>\n";
  return h;
}

}  // namespace fleetsim
