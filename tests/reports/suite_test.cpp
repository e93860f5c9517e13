// `fleetsim suite DIR`: which files it runs, the index page, the suite's JUnit file and the exit
// codes, on the shipped scenarios and on small hand-made suites.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/cli/scenario_suite.hpp"
#include "tests/cli_runner.hpp"
#include "tests/reports/junit_structure.hpp"
#include "tests/reports/text_between.hpp"
#include "tests/test_scenarios.hpp"

using namespace fleetsim;
using namespace fleetsim::testing;

namespace {

void write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

// The testsuite elements of one scenario (named "<scenario>.<group>").
std::vector<const XmlElement*> suites_of(const XmlElement& root, const std::string& scenario) {
  std::vector<const XmlElement*> out;
  for (const XmlElement& s : root.children)
    if (s.attr("name").rfind(scenario + ".", 0) == 0) out.push_back(&s);
  return out;
}

}  // namespace

TEST_CASE("Suite files: every JSON file under the folder except JSON Schemas and excluded paths", "[reports][suite]") {
  TempDir tmp;
  write(tmp / "a.json", "{}");
  write(tmp / "qa/b.json", "{}");
  write(tmp / "bench/big.json", "{}");
  write(tmp / "notes.txt", "not json");
  write(tmp / "format.schema.json", R"({"$schema": "https://json-schema.org/draft/2020-12/schema"})");
  write(tmp / "refers-to-schema.json", R"({"$schema": "format.schema.json"})");
  std::vector<std::string> skipped;
  CHECK(suite_scenario_files(tmp.path.string(), {"bench"}, skipped) ==
        std::vector<std::string>{"a.json", "qa/b.json", "refers-to-schema.json"});
  CHECK(skipped == std::vector<std::string>{"bench/big.json", "format.schema.json"});
  skipped.clear();
  CHECK(suite_scenario_files(tmp.path.string(), {"*/b.json"}, skipped).size() == 3);  // a, bench/big, refers-to
}

TEST_CASE("fleetsim suite over the shipped scenarios writes suite.html and one JUnit file a JUnit consumer reads",
          "[reports][suite]") {
  TempDir tmp;
  const std::string scenarios = std::string(FLEETSIM_SOURCE_DIR) + "/scenarios";
  // bench/ holds the 1M and 10M benchmarks: left out to keep the test affordable.
  const Cli r = run_fleetsim("suite " + shell_quote(scenarios) + " --exclude bench --jobs 2 --out " +
                             shell_quote(tmp / "out") + " --junit " + shell_quote(tmp / "suite-junit.xml"));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);

  const std::vector<std::string> expected = {"qa/bad-build-canary", "qa/corrupt-cdn-cache", "qa/mixed-fleet-images",
                                             "qa/outage-checkin-storm", "qa/single-bank-power-loss", "quickstart"};
  const XmlElement root = XmlReader::parse(slurp(tmp / "suite-junit.xml"));
  const JunitCounts counts = check_junit_structure(root);
  CHECK(counts.failures == 0);
  CHECK(counts.errors == 0);
  int tests = 0;
  for (const std::string& name : expected) {
    INFO(name);
    // One case per assertion in the scenario file, one per gate its rollout reached.
    const auto scenario = nlohmann::json::parse(slurp(scenarios + "/" + name + ".json"));
    const auto summary = nlohmann::json::parse(slurp(tmp / ("out/" + name + "/summary.json")));
    size_t gates = 0;
    for (const auto& w : summary["rollout"]["waves"]) gates += w["result"] != "not_started";
    size_t assertion_cases = 0, gate_cases = 0;
    for (const XmlElement* s : suites_of(root, name)) {
      if (s->attr("name") == name + ".assertions") assertion_cases = s->children.size();
      if (s->attr("name") == name + ".gates") gate_cases = s->children.size();
    }
    CHECK(assertion_cases == scenario["assertions"].size());
    CHECK(gate_cases == gates);
    tests += int(assertion_cases + gate_cases);
  }
  CHECK(counts.tests == tests);

  // suite.html links each scenario's report, and each link resolves.
  const std::string index = slurp(tmp / "out/suite.html");
  const std::vector<std::string> links = all_between(index, "<a href=\"", "\">");
  REQUIRE(links.size() == expected.size());
  for (size_t i = 0; i < links.size(); ++i) {
    CHECK(links[i] == expected[i] + "/report.html");
    CHECK(std::filesystem::exists(tmp / ("out/" + links[i])));
  }
  const std::string n = std::to_string(expected.size());
  CHECK(index.find(n + " scenarios: " + n + " passed") != std::string::npos);
}

TEST_CASE("A suite with an invalid scenario still runs the others and exits 2 with the problem as a JUnit error",
          "[reports][suite]") {
  TempDir tmp;
  write(tmp / "in/good.json", minimal_scenario(3).dump());
  Doc bad = minimal_scenario(3);
  bad["duration"] = "3 fortnights";
  write(tmp / "in/bad.json", bad.dump());
  const Cli r = run_fleetsim("suite " + shell_quote(tmp / "in") + " --out " + shell_quote(tmp / "out"));
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(std::filesystem::exists(tmp / "out/good/report.html"));

  const XmlElement root = XmlReader::parse(slurp(tmp / "out/junit.xml"));
  const JunitCounts counts = check_junit_structure(root);
  CHECK(counts.errors == 1);
  const auto bad_suites = suites_of(root, "bad");
  REQUIRE(bad_suites.size() == 1);
  const XmlElement& error = *bad_suites[0]->children.at(0).all("error").at(0);
  CHECK(error.attr("message").find("/duration") != std::string::npos);
  CHECK(slurp(tmp / "out/suite.html").find("invalid") != std::string::npos);
}

TEST_CASE("A suite whose scenario fails an assertion exits 1 with the failure in its JUnit file", "[reports][suite]") {
  TempDir tmp;
  Doc failing = minimal_scenario(3);
  // All 3 devices are updated by t = 50 s (test_scenarios.hpp); the assertion asks for 4.
  failing["assertions"] = Doc::parse(R"([{"metric": "devices.updated", "op": ">=", "value": 4}])");
  write(tmp / "in/failing.json", failing.dump());
  const Cli r = run_fleetsim("suite " + shell_quote(tmp / "in") + " --out " + shell_quote(tmp / "out"));
  INFO(r.output);
  CHECK(r.exit_code == 1);
  const JunitCounts counts = check_junit_structure(XmlReader::parse(slurp(tmp / "out/junit.xml")));
  CHECK(counts.failures == 1);
}

TEST_CASE("A suite writing its results inside its own folder does not run them as scenarios the next time",
          "[reports][suite]") {
  TempDir tmp;
  write(tmp / "in/good.json", minimal_scenario(3).dump());
  const std::string args = "suite " + shell_quote(tmp / "in") + " --out " + shell_quote(tmp / "in/results");
  REQUIRE(run_fleetsim(args).exit_code == 0);
  // The first run wrote in/results/good/scenario.json and summary.json; still one scenario.
  const Cli again = run_fleetsim(args);
  INFO(again.output);
  CHECK(again.exit_code == 0);
  CHECK(again.output.find("suite: 1 scenarios") != std::string::npos);
}

namespace {
size_t occurrences(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("A suite says once why a scenario is invalid or failed: in its JUnit file and on the console",
          "[reports][suite]") {
  TempDir tmp;
  Doc bad = minimal_scenario(3);
  bad["duration"] = "3 fortnights";
  write(tmp / "in/bad.json", bad.dump());
  Doc failing = minimal_scenario(3);
  // All 3 devices are updated by t = 50 s (test_scenarios.hpp); the assertion asks for 4.
  failing["assertions"] = Doc::parse(R"([{"metric": "devices.updated", "op": ">=", "value": 4}])");
  write(tmp / "in/failing.json", failing.dump());
  const Cli r = run_fleetsim("suite " + shell_quote(tmp / "in") + " --out " + shell_quote(tmp / "out"));
  INFO(r.output);
  CHECK(r.exit_code == 2);

  // The one problem appears once in the JUnit file's text (the message attribute aside).
  const XmlElement root = XmlReader::parse(slurp(tmp / "out/junit.xml"));
  const XmlElement& error = *suites_of(root, "bad").at(0)->children.at(0).all("error").at(0);
  CHECK(occurrences(error.text, "/duration") == 1);
  CHECK(suites_of(root, "bad").at(0)->children.at(0).all("system-out").empty());

  // The console names the reason under each verdict.
  const size_t invalid = r.output.find("INVALID bad.json\n");
  REQUIRE(invalid != std::string::npos);
  const std::string after_invalid = r.output.substr(invalid, r.output.find('\n', r.output.find('\n', invalid) + 1) - invalid);
  CHECK(after_invalid.find("/duration") != std::string::npos);
  const size_t fail = r.output.find("FAIL    failing.json\n");
  REQUIRE(fail != std::string::npos);
  const std::string after_fail = r.output.substr(fail, r.output.find('\n', r.output.find('\n', fail) + 1) - fail);
  CHECK(after_fail.find("devices.updated >= 4") != std::string::npos);
  CHECK(after_fail.find("actual 3") != std::string::npos);
}
