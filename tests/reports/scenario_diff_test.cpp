// What `fleetsim compare` says differs between two scenarios (reports/scenario_diff.hpp) and how it
// sets two runs' results side by side (reports/summary_deltas.hpp), on hand-written pairs whose
// differences are read off by eye, and the console table of them (reports/run_comparison.hpp).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "reports/run_comparison.hpp"
#include "reports/scenario_diff.hpp"
#include "reports/summary_deltas.hpp"

using namespace fleetsim;
using Json = nlohmann::ordered_json;

namespace {

std::vector<std::string> lines(const std::vector<ScenarioDifference>& diffs) {
  std::vector<std::string> out;
  for (const auto& d : diffs) out.push_back(d.pointer + ": " + d.a + " vs " + d.b);
  return out;
}

const SummaryDelta& row(const std::vector<SummaryDelta>& rows, const std::string& name) {
  for (const SummaryDelta& r : rows)
    if (r.name == name) return r;
  FAIL("no row " << name);
  throw;
}

}  // namespace

TEST_CASE("scenario differences list every differing JSON path with both values", "[reports][compare]") {
  const Json base = Json::parse(R"({
    "name": "quickstart", "seed": 42,
    "regions": {"us-east": {"rtt": "40ms", "outages": [{"at": "40h", "for": "45m"}]}},
    "fleet": {"cohorts": [{"name": "a", "count": 100}, {"name": "b", "count": 500}]}
  })");
  CHECK(scenario_differences(base, base).empty());

  SECTION("an outage removed is one difference at the array, an array of another length") {
    Json variant = base;
    variant["regions"]["us-east"]["outages"] = Json::array();
    CHECK(lines(scenario_differences(base, variant)) ==
          std::vector<std::string>{R"(/regions/us-east/outages: [{"at":"40h","for":"45m"}] vs [])"});
  }
  SECTION("arrays of one length element by element, keys missing on one side as absent, in A's order then B's") {
    Json variant = base;
    variant["fleet"]["cohorts"][1]["count"] = 600;
    variant["seed"] = "42";                              // another type
    variant["regions"]["us-east"].erase("rtt");          // only in A
    variant["rollout"] = {{"strategy", "all_at_once"}};  // only in B
    CHECK(lines(scenario_differences(base, variant)) ==
          std::vector<std::string>{R"(/seed: 42 vs "42")", R"(/regions/us-east/rtt: "40ms" vs absent)",
                                   "/fleet/cohorts/1/count: 500 vs 600",
                                   R"(/rollout: absent vs {"strategy":"all_at_once"})"});
  }
  SECTION("numbers compare by value") {
    Json variant = base;
    variant["seed"] = 42.0;
    CHECK(scenario_differences(base, variant).empty());
  }
  SECTION("integers compare exactly, beyond 2^53 too") {
    // 1700000000000000000 > 2^53 ≈ 9.007e15: as doubles both are 1700000000000000000 (doubles there
    // are 256 apart), yet they are two seeds.
    const Json a = Json::parse(R"({"seed": 1700000000000000000})");
    const Json b = Json::parse(R"({"seed": 1700000000000000001})");
    REQUIRE(a["seed"].get<double>() == b["seed"].get<double>());
    CHECK(lines(scenario_differences(a, b)) ==
          std::vector<std::string>{"/seed: 1700000000000000000 vs 1700000000000000001"});
    CHECK(scenario_differences(a, Json::parse(R"({"seed": 1700000000000000000})")).empty());
  }
  SECTION("keys with / and ~ are escaped as RFC 6901 says") {
    const Json a = {{"a/b", 1}, {"m~n", 1}}, b = {{"a/b", 2}, {"m~n", 3}};
    CHECK(lines(scenario_differences(a, b)) == std::vector<std::string>{"/a~1b: 1 vs 2", "/m~0n: 1 vs 3"});
  }
}

TEST_CASE("a long value is shown by its size and kernel settings are told apart", "[reports][compare]") {
  // 61 characters of compact JSON: one more than kShownChars.
  const Json long_array = Json::array({"0123456789", "0123456789", "0123456789", "0123456789", "01234"});
  REQUIRE(long_array.dump().size() == 61);
  CHECK(value_text(long_array) == "[5 items]");
  CHECK(value_text(Json{{"x", std::string(60, 'y')}}) == "{1 field}");
  CHECK(value_text(Json::array({1, 2, 3})) == "[1,2,3]");
  CHECK(value_text(std::string(70, 'z')) == "\"" + std::string(56, 'z') + "...");
  CHECK(is_kernel_setting("/kernel"));
  CHECK(is_kernel_setting("/kernel/simgrid/network_model"));
  CHECK_FALSE(is_kernel_setting("/kernels"));
  CHECK_FALSE(is_kernel_setting("/fleet/kernel"));
}

TEST_CASE("summary deltas are B minus A with the change relative to A, per metric and per region",
          "[reports][compare]") {
  const Json a = Json::parse(R"({
    "rollout": {"state": "completed", "time_to_s": {"p90": 3600},
                "waves": [{"result": "passed", "failed": 1}, {"result": "passed", "failed": 2}]},
    "devices": {"on_target": 200, "by_state": {"bricked": 0}},
    "platform": {"regions": [{"region": "eu", "peak_egress_bps": 8e6}]}
  })");
  const Json b = Json::parse(R"({
    "rollout": {"state": "aborted", "time_to_s": {"p90": 5400},
                "waves": [{"result": "passed", "failed": 0}, {"result": "aborted", "failed": 7}]},
    "devices": {"on_target": 150, "by_state": {"bricked": 3}},
    "platform": {"regions": [{"region": "eu", "peak_egress_bps": 8e6}, {"region": "us", "peak_egress_bps": 16e6}]}
  })");
  const std::vector<SummaryDelta> rows = summary_deltas(a, b);

  // 5400 s − 3600 s = 1800 s = 30 min, 50 % of 3600 s.
  const SummaryDelta& t90 = row(rows, "rollout.time_to_90");
  CHECK(t90.delta == 1800);
  CHECK(t90.change == 0.5);
  CHECK(t90.a_text == "1h");
  CHECK(t90.b_text == "1h30m");
  CHECK(t90.delta_text == "+30m");
  CHECK(t90.change_text == "+50 %");
  // 150 − 200 = −50, a quarter of 200.
  const SummaryDelta& on = row(rows, "fleet.on_target");
  CHECK(on.delta == -50);
  CHECK(on.delta_text == "-50");
  CHECK(on.change_text == "-25 %");
  // From 0 there is a difference but no relative change.
  const SummaryDelta& bricked = row(rows, "devices.bricked");
  CHECK(bricked.delta == 3);
  CHECK_FALSE(bricked.change.has_value());
  // Texts are not numbers; a metric neither summary has is "—" on both sides.
  CHECK(row(rows, "rollout.state").delta_text == "changed");
  CHECK_FALSE(row(rows, "rollout.state").delta.has_value());
  CHECK(row(rows, "bytes.delivered").a_text == "—");
  CHECK(row(rows, "bytes.delivered").delta_text == "—");
  // Derived from rollout.waves as `fleetsim sweep` derives them: failed executions 1 + 2 = 3 in A,
  // 0 + 7 = 7 in B; waves passed 2 in A, 1 in B.
  CHECK(row(rows, "devices.failed").a == 3);
  CHECK(row(rows, "devices.failed").b == 7);
  CHECK(row(rows, "devices.failed").delta == 4);
  CHECK(row(rows, "rollout.waves_completed").a == 2);
  CHECK(row(rows, "rollout.waves_completed").delta == -1);
  // The busiest region's peak: 8e6 in A, 16e6 (us) in B.
  CHECK(row(rows, "platform.peak_egress_bps").delta == 8e6);
  // Every metric but devices.pending, then A's region eu and B's us for each of 2 per-region figures.
  CHECK(rows.size() == kAssertionMetricCount - 1 + 2 * 2);
  // Regions: A's, then the one only B has (absent in A: no difference computed). 8e6 bit/s = 1 MB/s.
  const SummaryDelta& eu = row(rows, "platform.peak_egress_bps eu");
  CHECK(eu.delta == 0);
  CHECK(eu.change_text == "0 %");
  const SummaryDelta& us = row(rows, "platform.peak_egress_bps us");
  CHECK(us.a.is_null());
  CHECK(us.b == 16e6);
  CHECK_FALSE(us.delta.has_value());
}

TEST_CASE("the console table of results aligns by columns, not bytes", "[reports][compare]") {
  // "—" (no value) is 3 bytes of UTF-8 and 1 column. Widths: names 6 (the minimum), A 1, B 2
  // ("10"), B − A 5 ("B - A"); each cell is followed by 2 spaces, trailing spaces cut.
  RunComparison c;
  c.summary.push_back({"x", AssertionMetric::BytesDelivered, nullptr, 10, std::nullopt, std::nullopt, "—", "10", "—", "—"});
  c.summary.push_back({"y", AssertionMetric::BytesDelivered, 5, 10, 5.0, 1.0, "5", "10", "+5", "+100 %"});
  const std::string text = format_comparison(c);
  CHECK(text.find("results:\n"
                  "          A  B   B - A  change\n"
                  "  x       —  10  —\n"
                  "  y       5  10  +5     +100 %\n") != std::string::npos);
}
