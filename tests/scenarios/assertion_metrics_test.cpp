// The assertion metrics table (sim/scenario/assertion_metrics.hpp) is the one list of metrics:
// every entry must evaluate on a real run, the loader must accept exactly its names, and the
// README table ("Scenario format", "Assertion metrics") must show exactly its rows.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "sim/scenario/assertion_metrics.hpp"
#include "sim/scenario/rollout_state.hpp"
#include "tests/test_scenarios.hpp"

using namespace fleetsim;
using namespace fleetsim::testing;

namespace {

constexpr int64_t kFleet = 4;

// The default test scenario (tests/test_scenarios.hpp) with four devices: each follows the
// single-device timeline on its own 1000 B/s downlink (the 1 GB/s edge never binds), so all four
// download from 4 s to 14 s and reach the target together at kFinished = 50 s.
const Run& tiny_fleet_run() {
  static const std::unique_ptr<Run> run = run_scenario(minimal_scenario(kFleet));
  return *run;
}

double value(AssertionMetric m) {
  const std::optional<double> v = tiny_fleet_run().world->metric_number(m);
  INFO(metric_info(m).name);
  REQUIRE(v);
  return *v;
}

// The cells of the README's metrics table, one row per metric, in order.
std::vector<std::vector<std::string>> readme_metric_rows() {
  std::ifstream in(std::string(FLEETSIM_SOURCE_DIR) + "/README.md");
  REQUIRE(in);
  std::string line;
  while (std::getline(in, line) && line.rfind("**Assertion metrics**", 0) != 0) {}
  while (std::getline(in, line) && line.rfind("| metric |", 0) != 0) {}
  std::getline(in, line);  // the |---| separator
  std::vector<std::vector<std::string>> rows;
  while (std::getline(in, line) && line.rfind("|", 0) == 0) {
    std::vector<std::string> cells;
    size_t from = 1;
    for (size_t bar = line.find('|', from); bar != std::string::npos; bar = line.find('|', from)) {
      std::string cell = line.substr(from, bar - from);
      cell.erase(0, cell.find_first_not_of(' '));
      cell.erase(cell.find_last_not_of(' ') + 1);
      cells.push_back(cell);
      from = bar + 1;
    }
    rows.push_back(std::move(cells));
  }
  return rows;
}

}  // namespace

TEST_CASE("every metric of the table has a value of its kind at the end of a run") {
  const Run& run = tiny_fleet_run();
  for (const AssertionMetricInfo& m : kAssertionMetrics) {
    INFO(m.name);
    if (m.kind == MetricKind::Number) {
      CHECK(run.world->metric_number(m.id).has_value());
      CHECK(run.world->metric_text(m.id).empty());
    } else {
      CHECK_FALSE(run.world->metric_number(m.id).has_value());
      CHECK_FALSE(run.world->metric_text(m.id).empty());
    }
  }
}

TEST_CASE("every metric of the table can be asserted in a scenario and is reported by its name") {
  // One assertion per metric that holds for any value (>= 0, or the state the run ends in), so
  // each fails only if its metric has no value or the name does not reach the World intact.
  // Times are compared with a duration, as the loader requires.
  Doc doc = minimal_scenario(kFleet);
  for (const AssertionMetricInfo& m : kAssertionMetrics) {
    Doc a = {{"metric", std::string(m.name)}, {"op", m.kind == MetricKind::Text ? "==" : ">="}};
    if (m.kind == MetricKind::Text) a["value"] = "completed";
    else if (m.unit == "s") a["value"] = "0s";
    else a["value"] = 0;
    doc["assertions"].push_back(a);
  }
  const auto run = run_scenario(doc);
  REQUIRE(run->results.assertions.size() == kAssertionMetrics.size());
  for (size_t i = 0; i < kAssertionMetrics.size(); ++i) {
    const AssertionResult& r = run->results.assertions[i];
    INFO(r.metric << " " << r.op << " " << r.expected << ": actual " << r.actual);
    CHECK(r.metric == kAssertionMetrics[i].name);
    CHECK(r.passed);
  }
}

TEST_CASE("a tiny fleet without failures ends with every device updated and none pending") {
  CHECK(value(AssertionMetric::DevicesUpdated) == kFleet);
  CHECK(value(AssertionMetric::FleetOnTarget) == kFleet);
  CHECK(value(AssertionMetric::FleetOnTargetFraction) == 1.0);
  CHECK(value(AssertionMetric::DevicesFailed) == 0);
  CHECK(value(AssertionMetric::DevicesPending) == 0);
  CHECK(value(AssertionMetric::DevicesExcluded) == 0);
  CHECK(value(AssertionMetric::DevicesHeldBack) == 0);
  CHECK(tiny_fleet_run().world->metric_text(AssertionMetric::RolloutState) == "completed");
}

TEST_CASE("a fleet that updates in step reaches every time-to threshold when its devices finish") {
  // All four devices reach the target at kFinished = 50 s, so 50 %, 90 %, 95 % and 99 % of the
  // fleet (2, 4, 4 and 4 devices, rounded up) are on target at that same instant.
  for (AssertionMetric m : {AssertionMetric::RolloutTimeTo50, AssertionMetric::RolloutTimeTo90,
                            AssertionMetric::RolloutTimeTo95, AssertionMetric::RolloutTimeTo99})
    CHECK(value(m) == kFinished);
}

TEST_CASE("the byte and transfer metrics of a tiny fleet follow from the image size and the downlink") {
  // Four images of 10000 B, none of them sent twice.
  CHECK(value(AssertionMetric::BytesDelivered) == kFleet * 10000);
  CHECK(value(AssertionMetric::BytesRetransmitted) == 0);
  // All four download at once, each at its downlink's 1000 B/s: 4 × 1000 × 8 = 32000 bit/s.
  CHECK(value(AssertionMetric::PlatformPeakConcurrentTransfers) == kFleet);
  CHECK(value(AssertionMetric::PlatformPeakEgressBps) == Approx(kFleet * 1000 * 8));
}

TEST_CASE("exposure counts each device's time on the old version") {
  // Four devices on 1.0 until 50 s: 4 × 50 s = 200 device-seconds = 200 / 3600 device-hours.
  CHECK(value(AssertionMetric::ExposureDeviceHoursOld) == Approx(kFleet * kFinished / 3600.0));
}

TEST_CASE("a misspelt metric is rejected with the name it is closest to") {
  // Changing a name's first letter leaves it one edit from itself and further from any other.
  for (const AssertionMetricInfo& m : kAssertionMetrics) {
    const std::string misspelt = "x" + std::string(m.name.substr(1));
    Doc doc = minimal_scenario();
    doc["assertions"].push_back({{"metric", misspelt}, {"op", "=="}, {"value", 1}});
    const LoadResult loaded = load_scenario_text(doc.dump(), "test.json");
    INFO(loaded.format("test.json"));
    REQUIRE(loaded.problems.size() == 1);
    CHECK(loaded.problems[0].pointer == "/assertions/0/metric");
    CHECK(loaded.problems[0].message ==
          "unknown metric \"" + misspelt + "\" (did you mean \"" + std::string(m.name) + "\"?)");
  }
}

TEST_CASE("the README's metrics table shows exactly the rows of the metrics table") {
  std::vector<std::vector<std::string>> expected;
  for (const AssertionMetricInfo& m : kAssertionMetrics)
    expected.push_back({"`" + std::string(m.name) + "`", std::string(to_string(m.kind)), std::string(m.unit),
                        std::string(m.help)});
  CHECK(readme_metric_rows() == expected);
}

TEST_CASE("a rollout that has not started yet is scheduled and an assertion can say so") {
  // rollout.start at 2 h is after the 1 h run: the controller never ticks, so the state stays
  // the one before the start, and mid-run (30 m) too.
  Doc doc = minimal_scenario();
  doc["rollout"]["start"] = "2h";
  doc["assertions"].push_back({{"metric", "rollout.state"}, {"op", "=="}, {"value", "scheduled"}});
  doc["assertions"].push_back({{"metric", "rollout.state"}, {"at", "30m"}, {"op", "=="}, {"value", "scheduled"}});
  const auto run = run_scenario(doc);
  CHECK(run->results.rollout_state == "scheduled");
  REQUIRE(run->results.assertions.size() == 2);
  CHECK(run->results.assertions[0].passed);
  CHECK(run->results.assertions[1].passed);
}

TEST_CASE("every rollout state the run can report is assertable and listed in the README") {
  for (const RolloutStateInfo& s : kRolloutStateInfo) {
    Doc doc = minimal_scenario();
    doc["assertions"].push_back({{"metric", "rollout.state"}, {"op", "!="}, {"value", s.name}});
    const LoadResult loaded = load_scenario_text(doc.dump(), "test.json");
    INFO(s.name << ": " << loaded.format("test.json"));
    CHECK(loaded.problems.empty());
  }
  std::ifstream in(std::string(FLEETSIM_SOURCE_DIR) + "/README.md");
  REQUIRE(in);
  std::string line;
  while (std::getline(in, line) && line.rfind("**Rollout states**", 0) != 0) {}
  while (std::getline(in, line) && line.rfind("- `", 0) != 0) {}
  std::vector<std::string> listed;
  for (; line.rfind("- `", 0) == 0; std::getline(in, line)) listed.push_back(line);
  std::vector<std::string> expected;
  for (const RolloutStateInfo& s : kRolloutStateInfo)
    expected.push_back("- `" + std::string(s.name) + "`: " + std::string(s.help));
  CHECK(listed == expected);
}

TEST_CASE("an assertion shows its threshold as written and its value in the metric's unit, and accepts both",
          "[assertions][units]") {
  // Four devices reach the target at 50 s; four images of 10000 B; the peak egress is
  // 4 × 1000 B/s = 32000 bit/s; 40000 B is 39.0625 KiB.
  Doc doc = minimal_scenario(kFleet);
  doc["assertions"] = Doc::parse(R"([
    {"metric": "rollout.time_to_99", "op": "<=", "value": "2h30m"},
    {"metric": "platform.peak_egress_bps", "op": ">=", "value": "1Gbps"},
    {"metric": "bytes.delivered", "op": ">=", "value": "40kB"},
    {"metric": "platform.peak_egress_bps", "op": "<=", "value": 32000},
    {"metric": "fleet.on_target_fraction", "op": ">=", "value": "95%"}])");
  const auto run = run_scenario(doc);
  const auto& a = run->results.assertions;
  REQUIRE(a.size() == 5);
  CHECK(a[0].expected == "2h30m");
  CHECK(a[0].actual == "50s");
  CHECK(a[0].passed);
  CHECK(a[1].expected == "1Gbps");
  CHECK(a[1].actual == "32.0kbps");
  CHECK_FALSE(a[1].passed);
  CHECK(a[2].expected == "40kB");
  CHECK(a[2].actual == "39.06KiB");
  CHECK(a[2].passed);  // 40000 B ≥ 40 kB
  CHECK(a[3].expected == "32000");
  CHECK(a[3].passed);
  CHECK(a[4].expected == "95%");

  // Every value the run printed is a value the loader accepts for that metric (a plain number
  // written as a JSON number, as a user copying it would).
  auto as_json = [](const std::string& text) {
    const Doc parsed = Doc::parse(text, nullptr, false);
    return parsed.is_number() ? parsed : Doc(text);
  };
  Doc again = minimal_scenario(kFleet);
  for (const AssertionResult& r : a) {
    again["assertions"].push_back({{"metric", r.metric}, {"op", r.op}, {"value", as_json(r.actual)}});
    again["assertions"].push_back({{"metric", r.metric}, {"op", r.op}, {"value", as_json(r.expected)}});
  }
  const LoadResult loaded = load_scenario_text(again.dump(), "test.json");
  INFO(loaded.format("test.json"));
  CHECK(loaded.problems.empty());
}

TEST_CASE("a rate or size assertion with a bad value says what it expects and the metric's unit",
          "[assertions][units]") {
  Doc doc = minimal_scenario();
  doc["assertions"] = Doc::parse(R"([
    {"metric": "platform.peak_egress_bps", "op": ">=", "value": "fast"},
    {"metric": "bytes.delivered", "op": ">=", "value": "lots"},
    {"metric": "devices.failed", "op": "<=", "value": "none"}])");
  const LoadResult loaded = load_scenario_text(doc.dump(), "test.json");
  INFO(loaded.format("test.json"));
  REQUIRE(loaded.problems.size() == 3);
  CHECK(loaded.problems[0].pointer == "/assertions/0/value");
  CHECK(loaded.problems[0].message.find("a rate with a unit such as \"1Gbps\"") != std::string::npos);
  CHECK(loaded.problems[0].message.find("platform.peak_egress_bps is in bit/s") != std::string::npos);
  CHECK(loaded.problems[1].message.find("a size with a unit such as \"2GiB\"") != std::string::npos);
  CHECK(loaded.problems[2].message.find("expected a number") != std::string::npos);
  CHECK(loaded.format("test.json").find("-inf") == std::string::npos);
}
