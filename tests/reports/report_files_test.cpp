// The files every run writes besides summary.json (report.html, junit.xml, summary.md,
// metrics.om, scenario.json), `fleetsim report`, and the writers on hand-made results.
#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "reports/html_report.hpp"
#include "reports/junit_writer.hpp"
#include "reports/openmetrics_writer.hpp"
#include "reports/run_outputs.hpp"
#include "reports/test_cases.hpp"
#include "tests/cli_runner.hpp"
#include "tests/reports/junit_structure.hpp"
#include "tests/reports/shipped_runs.hpp"
#include "tests/reports/text_between.hpp"

using namespace fleetsim;
using namespace fleetsim::testing;
using Json = nlohmann::ordered_json;

namespace {

const std::vector<std::string> kReports = {"report.html", "junit.xml", "summary.md", "metrics.om"};
// The smallest timeseries.csv a run writes: the header and the row at t = 0.
const char* const kOneRow = "t_s,rollout_state\n0,running\n";

// summary.json of a run with the given assertions (metric, passed) and wave results.
RunReport report_with(const std::vector<std::pair<std::string, bool>>& assertions,
                      const std::vector<std::string>& wave_results) {
  Json s;
  s["scenario"] = {{"name", "hand-made"}, {"start_unix", 1000}, {"devices", 10}};
  s["rollout"] = {{"state", "paused"}, {"decisions", Json::array()}, {"waves", Json::array()}};
  for (size_t w = 0; w < wave_results.size(); ++w)
    s["rollout"]["waves"].push_back(
        {{"wave", w}, {"size", 5}, {"result", wave_results[w]}, {"released", 5}, {"succeeded", 4}, {"failed", 1}});
  s["devices"] = Json::object();
  s["platform"] = {{"regions", Json::array()}};
  s["update_duration_histogram"] = {{"bin_s", 60}, {"counts", Json::array()}};
  s["assertions"]["results"] = Json::array();
  for (const auto& [metric, passed] : assertions)
    s["assertions"]["results"].push_back({{"metric", metric},
                                          {"op", "=="},
                                          {"expected", "x"},
                                          {"actual", "y"},
                                          {"at", "end"},
                                          {"passed", passed},
                                          {"pointer", "/assertions/0"}});
  RunReportRead r = parse_run_report(s.dump(), kOneRow, "", "");
  REQUIRE(r.report);
  return *r.report;
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("Every run writes the reports and the scenario it ran and a JUnit file with one case per assertion and gate",
          "[reports]") {
  TempDir tmp;
  REQUIRE(run_shipped("qa/bad-build-canary.json", tmp.path.string(), " --set description=overridden").exit_code == 0);
  for (const std::string& f : kReports) CHECK(std::filesystem::file_size(tmp / f) > 0);
  // scenario.json is the document after --set.
  CHECK(Json::parse(slurp(tmp / "scenario.json"))["description"] == "overridden");

  const XmlElement junit = XmlReader::parse(slurp(tmp / "junit.xml"));
  const JunitCounts counts = check_junit_structure(junit);
  const Json summary = Json::parse(slurp(tmp / "summary.json"));
  // The scenario has 7 assertions; the canary gate trips, so only wave 0 was reached: 7 + 1 cases.
  CHECK(counts.tests == 8);
  CHECK(summary["rollout"]["waves"][1]["result"] == "not_started");
  CHECK(counts.failures == 0);
  CHECK(slurp(tmp / "summary.md").find("## fleetsim: qa-bad-build-canary — passed") == 0);
}

TEST_CASE("fleetsim run's closing line names exactly the files the run wrote", "[reports]") {
  TempDir tmp;
  const std::string out = tmp / "out";
  const Cli r = run_fleetsim("run " + shell_quote(shipped_scenario("qa/bad-build-canary.json")) +
                                 " --trace-devices --out " + shell_quote(out),
                             "2>/dev/null");
  REQUIRE(r.exit_code == 0);
  const std::vector<std::string> lists = all_between(r.output, "results in " + out + "/ (", ")\n");
  REQUIRE(lists.size() == 1);
  std::vector<std::string> named;
  for (size_t from = 0;;) {
    const size_t comma = lists[0].find(", ", from);
    named.push_back(lists[0].substr(from, comma - from));
    if (comma == std::string::npos) break;
    from = comma + 2;
  }
  std::vector<std::string> written;
  for (const auto& entry : std::filesystem::directory_iterator(out)) written.push_back(entry.path().filename());
  std::sort(named.begin(), named.end());
  std::sort(written.begin(), written.end());
  CHECK(named == written);
  // The results and the scenario (devices.csv for --trace-devices, no checks.json without boards),
  // the four reports and the manifest.
  CHECK(written == std::vector<std::string>{"devices.csv", "junit.xml", "manifest.json", "metrics.om", "report.html", "run.json",
                                            "scenario.json", "summary.json", "summary.md", "timeseries.csv"});
}

TEST_CASE("fleetsim report regenerates the same reports from a results directory", "[reports]") {
  TempDir tmp;
  REQUIRE(run_shipped("qa/bad-build-canary.json", tmp.path.string()).exit_code == 0);
  std::map<std::string, std::string> written;
  for (const std::string& f : kReports) {
    written[f] = slurp(tmp / f);
    std::filesystem::remove(tmp / f);
  }
  const Cli r = run_fleetsim("report " + shell_quote(tmp.path.string()));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  for (const std::string& f : kReports) CHECK(slurp(tmp / f) == written[f]);
}

TEST_CASE("Two runs of one scenario and seed write byte-identical reports", "[reports]") {
  TempDir tmp;
  for (const char* dir : {"a", "b"}) REQUIRE(run_shipped("qa/bad-build-canary.json", tmp / dir).exit_code == 0);
  for (const std::string& f : kReports) CHECK(slurp(tmp / ("a/" + f)) == slurp(tmp / ("b/" + f)));
}

TEST_CASE("fleetsim report on a directory without results names the missing file", "[reports]") {
  TempDir tmp;
  const Cli r = run_fleetsim("report " + shell_quote(tmp.path.string()));
  CHECK(r.exit_code == 2);
  CHECK(r.output.find(tmp.path.string() + ": no results (no manifest.json or summary.json") != std::string::npos);
}

TEST_CASE("A gate that did not pass fails its case unless the scenario asserts the rollout's outcome", "[reports]") {
  SECTION("no assertion on the rollout: the tripped gate fails and the run exits 1") {
    const auto cases = run_test_cases(report_with({{"devices.bricked", true}}, {"passed", "failed", "not_started"}));
    // 1 assertion + gates of waves 0 and 1 (wave 2 was never reached).
    REQUIRE(cases.size() == 3);
    CHECK(cases[1].outcome == CheckResult::Outcome::Passed);
    CHECK(cases[2].outcome == CheckResult::Outcome::Failed);
    CHECK(exit_code_for(cases) == 1);
  }
  SECTION("the scenario asserts rollout.state: its assertion decides") {
    const auto cases = run_test_cases(report_with({{"rollout.state", true}}, {"failed"}));
    REQUIRE(cases.size() == 2);
    CHECK(cases[1].outcome == CheckResult::Outcome::Passed);
    CHECK(exit_code_for(cases) == 0);
  }
}

TEST_CASE(
    "Checks appear in junit.xml as their own suites with a failure as <failure> and an infrastructure problem as "
    "<error>",
    "[reports]") {
  RunReport report = report_with({{"devices.bricked", false}}, {});
  report.checks.push_back({"hil", "board emu-1 update to 1.3.0", CheckResult::Outcome::Passed, 2.5, "ok", "",
                           {{"board.id", "emu-1"}, {"seconds.upload", "1.250"}}});
  report.checks.push_back({"hil", "board emu-2 update to 1.3.0", CheckResult::Outcome::Error, 1.0, "board unreachable",
                           "no answer on 127.0.0.1:1337 <&>", {}});
  auto cases = run_test_cases(report);
  // The failed assertion (devices.bricked, passed=false) is a demonstrated failure: it outranks
  // the infrastructure error, so a CI that retries exit 3 does not retry this run.
  CHECK(exit_code_for(cases) == 1);
  cases.erase(cases.begin());  // without the failed assertion only the error is left: exit 3
  CHECK(exit_code_for(cases) == 3);
  cases.insert(cases.begin(), run_test_cases(report).front());

  const XmlElement root = XmlReader::parse(junit_xml("hand-made", {{"", cases}}));
  const JunitCounts counts = check_junit_structure(root);
  CHECK(counts.tests == 3);
  CHECK(counts.failures == 1);
  CHECK(counts.errors == 1);
  REQUIRE(root.children.size() == 2);
  CHECK(root.children[1].attr("name") == "hil");
  CHECK(std::stod(root.children[1].attr("time")) == 3.5);  // 2.5 s + 1.0 s
  const XmlElement& error = *root.children[1].children[1].all("error").at(0);
  CHECK(error.attr("message") == "board unreachable");
  CHECK(error.text.find("no answer on 127.0.0.1:1337 <&>") != std::string::npos);
  // A passed case with properties is no longer self-closing: <properties><property name value/>…
  const XmlElement& passed = root.children[1].children[0];
  REQUIRE(passed.all("properties").size() == 1);
  const auto props = passed.all("properties").at(0)->all("property");
  REQUIRE(props.size() == 2);
  CHECK(props[0]->attr("name") == "board.id");
  CHECK(props[0]->attr("value") == "emu-1");
  CHECK(props[1]->attr("name") == "seconds.upload");
  CHECK(props[1]->attr("value") == "1.250");
  CHECK(root.children[1].children[1].all("properties").empty());
}

TEST_CASE("checks.json read back keeps every check, so fleetsim report and the run's junit.xml list them", "[reports]") {
  const std::vector<CheckResult> written = {
      {"hil", "board b0 update to 2.0.0", CheckResult::Outcome::Failed, 0.5, "rolled_back: reverted", "steps\n",
       {{"board.id", "b0"}, {"board.uri", "udp://127.0.0.1:1337?<&>"}}},
      {"hil", "board b1 update to 2.0.0", CheckResult::Outcome::Error, 1.5, "unavailable", "", {}}};
  const RunReportRead read = parse_run_report(report_with({}, {}).summary.dump(), kOneRow, "", checks_json(written));
  REQUIRE(read.report);
  REQUIRE(read.report->checks.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const CheckResult& c = read.report->checks[i];
    CHECK(c.group == written[i].group);
    CHECK(c.name == written[i].name);
    CHECK(c.outcome == written[i].outcome);
    CHECK(c.seconds == written[i].seconds);
    CHECK(c.message == written[i].message);
    CHECK(c.detail == written[i].detail);
    CHECK(c.properties == written[i].properties);
  }
}

TEST_CASE("report.html keeps at most 1000 points per series: the last of each bucket for levels and the peak for rates",
          "[reports]") {
  // 5000 rows in buckets of 5: t and the device counts take each bucket's last row, the rates its
  // largest value, so a one-row spike at row 2501 survives.
  std::string csv = "t_s,state_idle,update_requests_per_s,rollout_state\n";
  for (int row = 0; row < 5000; ++row)
    csv += std::to_string(row * 60) + "," + std::to_string(row) + "," + (row == 2501 ? "900" : "1") + ",running\n";
  RunReport report = report_with({}, {});
  RunReportRead read = parse_run_report(Json(report.summary).dump(), csv, "", "");
  REQUIRE(read.report);
  const std::string html = html_report(*read.report);
  const std::string marker = "<script id=\"fleetsim-data\" type=\"application/json\">";
  const size_t from = html.find(marker) + marker.size();
  const Json data = Json::parse(html.substr(from, html.find("</script>", from) - from));
  REQUIRE(data["t"].size() == 1000);
  CHECK(data["t"][0] == 4 * 60);
  CHECK(data["t"][999] == 4999 * 60);
  const Json& states = data["charts"][0]["series"][0]["values"];
  CHECK(states[500] == 2504);  // bucket 500 = rows 2500..2504
  const Json& rate = data["charts"][4]["series"][0]["values"];
  CHECK(data["charts"][4]["id"] == "requests");
  CHECK(rate[500] == 900);
  CHECK(rate[499] == 1);
}

TEST_CASE("metrics.om stamps samples with start plus simulated time and counts check-ins as a running sum",
          "[reports]") {
  // Rates 2/s, 4/s and 1/s over the intervals ending at t = 10, 20 and 30 s: 20, 40 and 10
  // check-ins, so the counter reads 20, 60, 70 at 1000 + t.
  const std::string csv =
      "t_s,state_idle,update_requests_per_s,throttled,rollout_state\n10,5,2,1,running\n20,4,4,0,running\n"
      "30,3,1,2,completed\n";
  RunReport base = report_with({}, {});
  RunReportRead read = parse_run_report(Json(base.summary).dump(), csv, "", "");
  REQUIRE(read.report);
  const std::string om = openmetrics_text(*read.report);
  CHECK(om.find("# TYPE fleetsim_update_requests counter\n") != std::string::npos);
  CHECK(om.find("fleetsim_update_requests_total 20 1010.000\nfleetsim_update_requests_total 60 1020.000\n"
                "fleetsim_update_requests_total 70 1030.000\n") != std::string::npos);
  CHECK(om.find("fleetsim_update_requests_throttled_total 3 1030.000\n") != std::string::npos);
  CHECK(om.find("fleetsim_devices_in_state{state=\"idle\"} 4 1020.000\n") != std::string::npos);
  CHECK(om.find("fleetsim_rollout_state{state=\"completed\"} 1 1030.000\n") != std::string::npos);
  CHECK(count(om, "# EOF\n") == 1);
  CHECK(om.size() >= 6);
  CHECK(om.substr(om.size() - 6) == "# EOF\n");
}

TEST_CASE("report.html draws each capacity from its time-series column, so a degradation shows as a dip",
          "[reports]") {
  // Region eu: 8e9 bit/s nominal, degraded to 2e9 bit/s in the second sample; the update
  // service: 100/s, 40/s in the brownout. The chart values are in bit/s for egress (as scenarios
  // write rates) and requests/s for check-ins, row for row (3 rows: no downsampling).
  const std::string csv =
      "t_s,state_idle,egress_bps_eu,capacity_bps_eu,update_requests_per_s,update_capacity_per_s,rollout_state\n"
      "0,5,0,8000000000,1,100,running\n60,5,0,2000000000,1,40,running\n120,5,0,8000000000,1,100,running\n";
  RunReport base = report_with({}, {});
  Json summary = base.summary;
  summary["platform"]["regions"] = Json::array({{{"region", "eu"}, {"capacity_bps", 8e9}}});
  summary["platform"]["update_service_capacity_per_s"] = 100;
  RunReportRead read = parse_run_report(summary.dump(), csv, "", "");
  REQUIRE(read.report);
  const std::string html = html_report(*read.report);
  const std::string marker = "<script id=\"fleetsim-data\" type=\"application/json\">";
  const size_t from = html.find(marker) + marker.size();
  const Json data = Json::parse(html.substr(from, html.find("</script>", from) - from));
  for (const Json& chart : data["charts"]) {
    if (chart["id"] == "egress") {
      REQUIRE(chart["limits"].size() == 1);
      CHECK(chart["limits"][0]["label"] == "eu capacity");
      CHECK(chart["unit"] == "bit/s");
      CHECK(chart["limits"][0]["values"] == Json::array({8e9, 2e9, 8e9}));
    }
    if (chart["id"] == "requests") {
      REQUIRE(chart["limits"].size() == 1);
      CHECK(chart["limits"][0]["values"] == Json::array({100, 40, 100}));
    }
  }
}

TEST_CASE("fleetsim report treats an integer field of summary.json holding a huge number as bad input", "[reports]") {
  // Found by tests/fuzz/run_report_fuzz.cpp: "start_unix": 1796083200999999999999999999999999 parses
  // as a double (it fits no 64-bit integer) and was cast to int64_t, undefined behaviour. A field
  // written as an integer that holds anything else is wrongly typed: nlohmann::json::type_error,
  // which `fleetsim report` reports as unexpected content (exit 2).
  RunReport r = report_with({{"fleet.on_target_fraction", true}}, {"passed"});
  CHECK_NOTHROW(report_output_files(r));
  r.summary["scenario"]["start_unix"] = 1.796083201e33;
  CHECK_THROWS_AS(report_output_files(r), nlohmann::json::type_error);
  r.summary["scenario"]["start_unix"] = 1000;
  r.summary["rollout"]["waves"][0]["wave"] = 1e300;  // read by run_test_cases for the gate's case
  CHECK_THROWS_AS(run_test_cases(r), nlohmann::json::type_error);
  r.summary["rollout"]["waves"][0]["wave"] = 0;
  CHECK(run_test_cases(r).size() == 2);  // the assertion and the wave-0 gate
}

TEST_CASE("a summary.json whose update_duration_histogram the charts cannot draw is refused naming it",
          "[reports]") {
  // The pages draw the time-to-update curve from bins of bin_s seconds holding device counts: a
  // missing histogram, bins of no width or counts that are not counts are bad input, not a blank
  // chart.
  const Json good = report_with({}, {}).summary;  // bin_s 60, counts []
  REQUIRE(parse_run_report(good.dump(), kOneRow, "", "", "run").report);
  const std::string where = "run/summary.json: /update_duration_histogram: ";
  const std::vector<std::pair<Json, std::string>> bad = {
      {nullptr, "not an object"},
      {{{"bin_s", 60}}, "\"counts\" is missing"},
      {{{"bin_s", 60}, {"counts", nullptr}}, "\"counts\" is missing"},
      {{{"bin_s", 60}, {"counts", "3"}}, "\"counts\" is \"3\""},
      {{{"bin_s", 60}, {"counts", {1, "2"}}}, "\"counts\" holds \"2\""},
      {{{"bin_s", 60}, {"counts", {1, 1.5}}}, "\"counts\" holds 1.5"},
      {{{"bin_s", 60}, {"counts", {-1}}}, "\"counts\" holds -1"},
      {{{"bin_s", 0}, {"counts", Json::array()}}, "\"bin_s\" is 0 "},
      {{{"bin_s", -60}, {"counts", Json::array()}}, "\"bin_s\" is -60 "},
      {{{"counts", Json::array()}}, "\"bin_s\" is null "},
  };
  for (const auto& [histogram, message] : bad) {
    Json s = good;
    s["update_duration_histogram"] = histogram;
    const RunReportRead r = parse_run_report(s.dump(), kOneRow, "", "", "run");
    INFO(histogram.dump() << ": " << r.error);
    CHECK_FALSE(r.report);
    CHECK(r.error.rfind(where + message, 0) == 0);
  }
}
