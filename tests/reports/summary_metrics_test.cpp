// Specification of reports/summary_metrics.hpp: every assertion metric summary.json records reads
// back, from a finished run's summary.json, as the value the run's own assertion on it reported
// (World::metric_number at the end of the run), in the same unit.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "reports/summary_metrics.hpp"
#include "tests/cli_runner.hpp"
#include "tests/test_scenarios.hpp"

namespace {

using fleetsim::AssertionMetric;
using fleetsim::AssertionMetricInfo;
using fleetsim::MetricKind;
using fleetsim::testing::Doc;

// A value every metric's assertion accepts (it need not hold: the test reads "actual").
Doc any_value(const AssertionMetricInfo& m) {
  if (m.kind == MetricKind::Text) return "completed";
  if (m.unit == "s") return "0s";
  return 0;
}

}  // namespace

TEST_CASE("each metric summary.json records reads back as the value its assertion reported", "[reports][sweep]") {
  // Ten devices of model m in region r and three of model m2 (m with another name) in region r2,
  // each with a 1 MB/s link behind 1 GB/s of egress, all released at once: r's peak is 10
  // transfers and 10 MB/s = 8e7 bit/s, r2's 3 and 2.4e7 bit/s; the metric is the busiest region's,
  // not the sum over regions. m2's build never boots (boot_failure 1, A/B storage): its 3 devices
  // roll back, 3 failed executions (a retry fails again: whether a build boots is fixed per
  // device), and the 10 others reach the target (boot_failure 0).
  fleetsim::testing::TempDir dir;
  Doc doc = fleetsim::testing::minimal_scenario(10);
  doc["device_models"]["m"]["link"]["downlink"] = "1MB/s";
  doc["device_models"]["m2"] = doc["device_models"]["m"];
  doc["regions"]["r2"] = {{"rtt", "2s"}};
  doc["platform"]["cdn"]["regions"]["r2"] = {{"egress", "1GB/s"}};
  fleetsim::testing::add_cohort(doc, "c2", "m2", 3, "1.0", "r2");
  doc["firmware"]["boot_failure"] = {{"m", 0}, {"m2", 1}};
  size_t recorded = 0;
  for (const AssertionMetricInfo& m : fleetsim::kAssertionMetrics) {
    if (!fleetsim::summary_records(m.id)) continue;
    doc["assertions"].push_back({{"metric", std::string(m.name)}, {"op", m.kind == MetricKind::Text ? "==" : ">="},
                                 {"value", any_value(m)}});
    ++recorded;
  }
  CHECK(recorded == fleetsim::kAssertionMetricCount - 1);  // all but devices.pending
  const std::string scenario = dir / "metrics.json";
  std::ofstream(scenario) << doc.dump(2);
  const auto cli = fleetsim::testing::run_fleetsim("run " + fleetsim::testing::shell_quote(scenario) + " --quiet --out " +
                                                   fleetsim::testing::shell_quote(dir / "out"));
  INFO(cli.output);
  REQUIRE((cli.exit_code == 0 || cli.exit_code == 1));
  const auto summary = nlohmann::ordered_json::parse(fleetsim::testing::slurp(dir / "out/summary.json"));
  const auto& results = summary["assertions"]["results"];
  REQUIRE(results.size() == recorded);
  for (const auto& r : results) {
    const std::string name = r["metric"];
    INFO(name << ": the assertion reported " << r["actual"]);
    const AssertionMetric m = *fleetsim::find_assertion_metric(name);
    if (fleetsim::metric_info(m).kind == MetricKind::Text) {
      CHECK(fleetsim::summary_metric_text(summary, m) == r["actual"].get<std::string>());
      continue;
    }
    const std::optional<double> v = fleetsim::summary_metric_number(summary, m);
    if (r["actual"] == "null") {  // a threshold the run did not reach (m2's devices never do)
      CHECK_FALSE(v);
      continue;
    }
    REQUIRE(v);
    CHECK(fleetsim::format_metric_value(m, *v) == r["actual"].get<std::string>());
  }
  // The hand-derived values (above and test_scenarios.hpp's timeline of model m).
  const auto number = [&](AssertionMetric m) {
    const std::optional<double> v = fleetsim::summary_metric_number(summary, m);
    INFO(fleetsim::metric_info(m).name);
    REQUIRE(v.has_value());
    return *v;
  };
  CHECK(number(AssertionMetric::PlatformPeakConcurrentTransfers) == 10);
  CHECK(number(AssertionMetric::PlatformPeakEgressBps) == Approx(8e7));
  CHECK(number(AssertionMetric::DevicesRolledBack) == 3);
  CHECK(number(AssertionMetric::DevicesFailed) == 3);
  CHECK(number(AssertionMetric::FleetOnTarget) == 10);
  // 10 of 13 (77 %) on the target: the 7th device reaches 50 % when all ten of r finish at once:
  // download 1 + 3 s of rtts → 4 s, + 10000 B / 1 MB/s = 4.01 s, + 5 + 7 + 11 + 13 s = 40.01 s;
  // 90 % (12 devices) is never reached.
  CHECK(number(AssertionMetric::RolloutTimeTo50) == Approx(40.01));
  CHECK_FALSE(fleetsim::summary_metric_number(summary, AssertionMetric::RolloutTimeTo90));
  CHECK_FALSE(fleetsim::summary_metric_number(summary, AssertionMetric::RolloutTimeTo99));
  CHECK_FALSE(fleetsim::summary_metric_number(summary, AssertionMetric::DevicesPending));
}
