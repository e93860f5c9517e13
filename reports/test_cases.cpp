#include "reports/test_cases.hpp"

#include <stdexcept>
#include <string>

#include "reports/result_writers.hpp"

namespace fleetsim {

namespace {

using Json = nlohmann::ordered_json;

std::string text_of(const Json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

bool asserts_rollout_outcome(const Json& summary) {
  for (const Json& a : lookup(summary, "assertions/results")) {
    const std::string metric = a.value("metric", "");
    if (metric == "rollout.state" || metric == "rollout.waves_completed") return true;
  }
  return false;
}

// The controller's reasons for its decisions about wave `w`, one per line.
std::string decisions_for(const Json& summary, int64_t w) {
  std::string out;
  for (const Json& d : lookup(summary, "rollout/decisions"))
    if (integer_value(d, "wave", -1) == w)
      out += "t=" + text_of(lookup(d, "t")) + " s " + d.value("action", "") + ": " + d.value("reason", "") + "\n";
  return out;
}

}  // namespace

std::vector<CheckResult> run_test_cases(const RunReport& report) {
  const Json& s = report.summary;
  std::vector<CheckResult> cases;
  for (const Json& a : lookup(s, "assertions/results")) {
    CheckResult c;
    c.group = "assertions";
    c.name = a.value("metric", "") + " " + a.value("op", "") + " " + text_of(lookup(a, "expected")) + " at " +
             a.value("at", "end");
    const bool passed = a.value("passed", false);
    c.outcome = passed ? CheckResult::Outcome::Passed : CheckResult::Outcome::Failed;
    c.message = "actual " + text_of(lookup(a, "actual"));
    c.detail = "scenario " + a.value("pointer", "") + "\n";
    cases.push_back(std::move(c));
  }
  const bool outcome_asserted = asserts_rollout_outcome(s);
  for (const Json& w : lookup(s, "rollout/waves")) {
    const std::string result = w.value("result", "not_started");
    if (result == "not_started") continue;  // the rollout never reached this gate
    const int64_t wave = integer_value(w, "wave", 0);
    CheckResult c;
    c.group = "gates";
    c.name = "wave " + std::to_string(wave) + " gate (" + text_of(lookup(w, "size")) + " devices)";
    c.message = "gate " + result + ": " + text_of(lookup(w, "succeeded")) + " succeeded, " +
                text_of(lookup(w, "failed")) + " failed of " + text_of(lookup(w, "released")) + " released";
    if (w.contains("withdrawn"))
      c.message += ", " + text_of(lookup(w, "withdrawn")) +
                   " withdrawn (their boards failed for infrastructure reasons; not judged)";
    const bool passed = result == "passed";
    if (!passed && outcome_asserted) c.message += " (the scenario's rollout assertions decide)";
    c.outcome = passed || outcome_asserted ? CheckResult::Outcome::Passed : CheckResult::Outcome::Failed;
    c.detail = decisions_for(s, wave);
    cases.push_back(std::move(c));
  }
  cases.insert(cases.end(), report.checks.begin(), report.checks.end());
  return cases;
}

int run_exit_code(const Results& results) {
  RunReportRead read = parse_run_report(summary_json(results), timeseries_csv(results), "", "");
  if (!read.report) throw std::logic_error("fleetsim wrote a summary it cannot read back: " + read.error);
  read.report->checks = results.checks;
  return exit_code_for(run_test_cases(*read.report));
}

}  // namespace fleetsim
