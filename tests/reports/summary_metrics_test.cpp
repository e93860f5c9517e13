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
  // Ten devices in region r and three in region r2, each with a 1 MB/s link behind 1 GB/s of
  // egress, all released at once: r's peak is 10 transfers and 10 MB/s = 8e7 bit/s, r2's 3 and
  // 2.4e7 bit/s; the metric is the busiest region's, not the sum over regions. Half of the devices
  // fail to boot the target and roll back (A/B storage): failed executions without retries.
  fleetsim::testing::TempDir dir;
  Doc doc = fleetsim::testing::minimal_scenario(10);
  doc["device_models"]["m"]["link"]["downlink"] = "1MB/s";
  doc["regions"]["r2"] = {{"rtt", "2s"}};
  doc["platform"]["cdn"]["regions"]["r2"] = {{"egress", "1GB/s"}};
  fleetsim::testing::add_cohort(doc, "c2", "m", 3, "1.0", "r2");
  doc["firmware"]["boot_failure"] = 0.5;
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
  const auto summary = nlohmann::json::parse(fleetsim::testing::slurp(dir / "out/summary.json"));
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
    if (r["actual"] == "null") {  // a threshold the run did not reach (the half that fails to boot)
      CHECK_FALSE(v);
      continue;
    }
    REQUIRE(v);
    CHECK(fleetsim::format_metric_value(m, *v) == r["actual"].get<std::string>());
  }
  CHECK(*fleetsim::summary_metric_number(summary, AssertionMetric::PlatformPeakConcurrentTransfers) == 10);
  CHECK(*fleetsim::summary_metric_number(summary, AssertionMetric::PlatformPeakEgressBps) == Approx(8e7));
  const double rolled_back = *fleetsim::summary_metric_number(summary, AssertionMetric::DevicesRolledBack);
  CHECK(rolled_back > 0);
  CHECK(*fleetsim::summary_metric_number(summary, AssertionMetric::RolloutTimeTo50));  // reached, 90 % not
  CHECK_FALSE(fleetsim::summary_metric_number(summary, AssertionMetric::RolloutTimeTo99));
  CHECK(*fleetsim::summary_metric_number(summary, AssertionMetric::DevicesFailed) == rolled_back);
  CHECK(*fleetsim::summary_metric_number(summary, AssertionMetric::FleetOnTarget) == 13 - rolled_back);
  CHECK_FALSE(fleetsim::summary_metric_number(summary, AssertionMetric::DevicesPending));
}
