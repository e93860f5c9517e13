// What report.html's views are made of, with values derived by hand: the bands shaded for a
// scenario's faults and maintenance windows, the round bins of the time-to-update histogram, and
// the per-cohort, per-wave and pickup columns of timeseries.csv the progress charts draw.
#include <catch2/catch.hpp>

#include "reports/html_report.hpp"
#include "reports/result_writers.hpp"
#include "reports/run_report.hpp"
#include "reports/time_bands.hpp"
#include "sim/results/duration_bins.hpp"
#include "tests/reports/faulted_scenario.hpp"
#include "tests/test_scenarios.hpp"

using namespace fleetsim;
using namespace fleetsim::testing;

TEST_CASE("Time bands are the scenario's fault windows and each time zone's maintenance windows", "[reports]") {
  const LoadResult loaded = load_scenario_text(faulted_scenario().dump(), "faulted.json");
  INFO(loaded.format("faulted.json"));
  REQUIRE(loaded.scenario);
  const std::vector<TimeBand> bands = time_bands(*loaded.scenario);
  struct Expected {
    std::string kind;
    double from, to;
    int lane;
  };
  const std::vector<Expected> expected = {
      {"outage", 40 * 3600, 40 * 3600 + 45 * 60, -1},       // 144000–146700
      {"degradation", 2 * 3600, 2 * 3600 + 30 * 60, -1},    // 7200–9000
      {"degradation", 10 * 3600, 11 * 3600, -1},            // the CDN fault: 36000–39600
      {"brownout", 20 * 3600, 22 * 3600, -1},               // 72000–79200
      {"bad_build", 30 * 3600, 30 * 3600, -1},              // an instant
      // Berlin: local 01:00–05:00 is 00:00–04:00 UTC, on both days of the run.
      {"maintenance", 0, 4 * 3600, 0},
      {"maintenance", 86400, 86400 + 4 * 3600, 0},
      // New York: local 01:00–05:00 is 06:00–10:00 UTC.
      {"maintenance", 6 * 3600, 10 * 3600, 1},
      {"maintenance", 86400 + 6 * 3600, 86400 + 10 * 3600, 1},
  };
  REQUIRE(bands.size() == expected.size());
  for (size_t i = 0; i < bands.size(); ++i) {
    INFO("band " << i << ": " << bands[i].label);
    CHECK(bands[i].kind == expected[i].kind);
    CHECK(bands[i].from_s == expected[i].from);
    CHECK(bands[i].to_s == expected[i].to);
    CHECK(bands[i].lane == expected[i].lane);
  }
  CHECK(bands[0].label == "r outage 1d16h–1d16h45m");
  CHECK(bands[5].label == "maintenance window 01:00-05:00 Europe/Berlin (c)");
  CHECK(bands[7].label == "maintenance window 01:00-05:00 America/New_York (ny)");
}

TEST_CASE("Time bands are clamped to the run and a fault after its end has none", "[reports]") {
  Doc doc = minimal_scenario();  // 1 h
  doc["regions"]["r"]["outages"] = Doc::parse(R"([{"at": "50m", "for": "1h"}, {"at": "2h", "for": "1h"}])");
  const LoadResult loaded = load_scenario_text(doc.dump(), "t.json");
  INFO(loaded.format("t.json"));
  REQUIRE(loaded.scenario);
  const std::vector<TimeBand> bands = time_bands(*loaded.scenario);
  REQUIRE(bands.size() == 1);
  CHECK(bands[0].from_s == 3000);  // 50 min
  CHECK(bands[0].to_s == 3600);    // the run's end, not 1h50m
}

TEST_CASE("Histogram bins are round durations chosen from the run length and the data's range", "[reports]") {
  // The World's bin: the smallest round duration ≥ max(1 min, duration / 1000).
  CHECK(histogram_bin_for(3600) == 60);         // 3.6 s → 1 min
  CHECK(histogram_bin_for(5 * 86400) == 600);   // 432 s → 10 min
  CHECK(histogram_bin_for(30 * 86400) == 3600);  // 2592 s → 1 h
  // 300 bins of 10 min (50 h of data) into ≤ 60: 15 min (1.5 bins) is not a whole number of bins,
  // 30 min makes 100 bins, 1 h makes 50.
  CHECK(histogram_merge_factor(600, 300, 60) == 6);
  CHECK(histogram_merge_factor(600, 40, 60) == 1);   // already ≤ 60 bins
  CHECK(histogram_merge_factor(60, 61, 60) == 2);    // 61 min of data: 2 min bins, 31 of them
}

TEST_CASE("The World's histogram has a round bin and room for the whole run", "[reports]") {
  const auto run = run_scenario(minimal_scenario());  // 1 h: 1 min bins, durations 0 … 60 min
  CHECK(run->results.histogram_bin == 60);
  REQUIRE(run->results.update_duration_histogram.size() == 61);
  // The device is notified at 1 s and finishes at 50 s (tests/test_scenarios.hpp): 49 s, bin 0.
  CHECK(run->results.update_duration_histogram[0] == 1);
}

TEST_CASE("timeseries.csv counts pickups and progress per cohort and per wave", "[reports]") {
  Doc doc = minimal_scenario(3);
  add_cohort(doc, "done", "m", 2, "2.0");  // already on the target
  doc["rollout"] = Doc::parse(R"({"strategy": "waves", "waves": [{"devices": 1, "soak": "10m"}, {"percent": "100%"}]})");
  const auto run = run_scenario(doc);
  const RunReportRead read = parse_run_report(summary_json(run->results), timeseries_csv(run->results), "", "");
  INFO(read.error);
  REQUIRE(read.report);
  const Timeseries& ts = read.report->timeseries;
  for (const char* c : {"released", "notified", "on_target_cohort_c", "on_target_cohort_done", "succeeded_wave_0",
                        "succeeded_wave_1"})
    REQUIRE(ts.column(c));
  // Wave 0 (1 device) is released at t = 0, notified at 1 s, updated at 50 s; wave 1 (the other 2)
  // after its 10 min soak. Rows are each minute: t = 60 s is row 1.
  CHECK(ts.column("t_s")->at(1) == 60);
  CHECK(ts.column("released")->at(1) == 1);
  CHECK(ts.column("notified")->at(1) == 1);
  CHECK(ts.column("succeeded_wave_0")->at(1) == 1);
  CHECK(ts.column("succeeded_wave_1")->at(1) == 0);
  CHECK(ts.column("on_target_cohort_c")->at(0) == 0);
  CHECK(ts.column("on_target_cohort_done")->at(0) == 2);  // on target from t = 0
  CHECK(ts.column("on_target_cohort_c")->at(1) == 1);
  CHECK(ts.column("released")->back() == 3);
  CHECK(ts.column("notified")->back() == 3);
  CHECK(ts.column("succeeded_wave_1")->back() == 2);
  CHECK(ts.column("on_target_cohort_c")->back() == 3);
  CHECK(ts.column("on_target_cohort_done")->back() == 2);
}

namespace {

using Json = nlohmann::ordered_json;

// summary.json with the keys a report needs and the histogram's fine bins.
std::string hand_summary(const Json& histogram_counts, double bin_s) {
  Json s;
  s["scenario"] = {{"name", "hand-made"}, {"start_unix", 0}, {"devices", 10}};
  s["rollout"] = {{"state", "completed"}, {"decisions", Json::array()}, {"waves", Json::array()}};
  s["devices"] = Json::object();
  s["platform"] = {{"regions", Json::array()}};
  s["update_duration_histogram"] = {{"bin_s", bin_s}, {"counts", histogram_counts}};
  s["assertions"]["results"] = Json::array();
  return s.dump();
}

// The JSON the page draws from.
Json page_data(const std::string& html) {
  const std::string marker = "<script id=\"fleetsim-data\" type=\"application/json\">";
  const size_t from = html.find(marker) + marker.size();
  return Json::parse(html.substr(from, html.find("</script>", from) - from));
}

}  // namespace

TEST_CASE("report.html gives release and pickup in figures read off the two curves", "[reports]") {
  // 10 devices released at 60 s; picked up: 5 by 120 s, 9 by 180 s, all 10 by 240 s. Half of them
  // (5) are released at 60 s and picked up at 120 s: 1 min; 90 % (9): 60 s and 180 s, 2 min.
  const std::string csv =
      "t_s,released,notified,rollout_state\n0,0,0,running\n60,10,0,running\n120,10,5,running\n"
      "180,10,9,running\n240,10,10,completed\n";
  const RunReportRead read = parse_run_report(hand_summary(Json::array(), 60), csv, "", "");
  INFO(read.error);
  REQUIRE(read.report);
  const std::string html = html_report(*read.report);
  CHECK(html.find("Released 10, picked up 10 (100.0 %), not picked up by the end") != std::string::npos);
  CHECK(html.find("Pickup lag at 50 % of the released devices: 1m.") != std::string::npos);
  CHECK(html.find("Pickup lag at 90 % of the released devices: 2m.") != std::string::npos);
  // Without scenario.json there is nothing to shade and no cohorts to chart, and the page says so.
  CHECK(html.find("are not drawn: the results directory has no scenario.json") != std::string::npos);
  CHECK(page_data(html)["bands"].empty());
}

TEST_CASE("report.html merges the histogram's fine bins into round ones and embeds the scenario's bands",
          "[reports]") {
  // 400 bins of 10 min with one device in each of bins 0, 5, 6 and 299: the 300 up to the last
  // non-empty one merge by 6 into 50 bins of 1 h (histogram_merge_factor). Bins 0 (0–10 min) and 5
  // (50–60 min) fall in hour 0, bin 6 (60–70 min) in hour 1, bin 299 (2990–3000 min) in hour 49.
  Json counts = Json::array();
  for (int i = 0; i < 400; ++i) counts.push_back(i == 0 || i == 5 || i == 6 || i == 299 ? 1 : 0);
  const std::string scenario = faulted_scenario().dump();
  const RunReportRead read =
      parse_run_report(hand_summary(counts, 600), "t_s,rollout_state\n0,running\n", scenario, "");
  INFO(read.error);
  REQUIRE(read.report);
  const std::string html = html_report(*read.report);
  const Json data = page_data(html);
  CHECK(data["histogram"]["bin_s"] == 3600);
  REQUIRE(data["histogram"]["counts"].size() == 50);
  CHECK(data["histogram"]["counts"][0] == 2);
  CHECK(data["histogram"]["counts"][1] == 1);
  CHECK(data["histogram"]["counts"][49] == 1);
  // The faulted scenario's 9 bands (see the test above), the first the region outage.
  REQUIRE(data["bands"].size() == 9);
  CHECK(data["bands"][0]["from"] == 144000);
  CHECK(data["bands"][0]["to"] == 146700);
  CHECK(html.find("are not drawn") == std::string::npos);
}
