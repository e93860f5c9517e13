// report.html in a real browser: headless Chromium loads the quickstart run's report from disk
// (no network), the page writes what it drew into #render-status, and Chromium's own log shows
// every console message the page produced.
#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "tests/cli_runner.hpp"
#include "sim/results/duration_bins.hpp"
#include "tests/reports/faulted_scenario.hpp"
#include "tests/reports/headless_chromium.hpp"
#include "tests/reports/shipped_runs.hpp"
#include "tests/reports/text_between.hpp"

using namespace fleetsim::testing;


// One chart per time series family the report promises, plus the time-to-update distribution.
const std::set<std::string> kCharts = {"states", "versions",  "cohorts",  "regions",  "waves",      "pickup",
                                       "transfers", "egress", "requests", "failures", "update_time"};

namespace {

// The shaded bands the page reports for a time chart: every band drawn on the plot area keeps at
// least half of its rectangle in its own colour (series lines and grid cross some of it).
void check_bands_drawn(const nlohmann::json& chart, size_t expected_bands) {
  REQUIRE(chart.contains("bands"));
  REQUIRE(chart["bands"].size() == expected_bands);
  for (const auto& band : chart["bands"]) {
    INFO("band " << band.dump());
    CHECK(band["area"].get<int>() > 0);
    CHECK(band["pixels"].get<int>() * 2 >= band["area"].get<int>());
  }
}

}  // namespace

TEST_CASE("The quickstart report renders every chart with data in headless Chromium without console messages",
          "[reports][browser]") {
  TempDir tmp;
  const std::string out = tmp / "quickstart";
  REQUIRE(run_shipped("quickstart.json", out).exit_code == 0);
  const PageLoad page = load_page(out + "/report.html", tmp);
  REQUIRE(page.exit_code == 0);
  INFO(page.browser_log.substr(0, 4000));
  CHECK(console_lines(page.browser_log).empty());

  const nlohmann::json status = render_status(page.dom);
  REQUIRE(status.is_object());
  CHECK(status["errors"].empty());
  std::set<std::string> drawn;
  for (const auto& chart : status["charts"]) {
    const std::string id = chart["id"];
    INFO("chart " << id);
    drawn.insert(id);
    CHECK(chart["points"].get<int>() > 0);
    // A series drawn across the plot area (about 1 000 px wide at this window size) colours at
    // least one pixel per column; grid, axes and decision marks are grey and do not count.
    CHECK(chart["coloured_pixels"].get<int>() >= 500);
    if (id == "update_time") {
      // The time-to-update histogram in round bins, at most 60 (sim/results/duration_bins.hpp).
      const int bins = chart["histogram"]["bins"];
      CHECK(bins >= 1);
      CHECK(bins <= 60);
      const double bin_s = chart["histogram"]["bin_s"];
      CHECK(std::count(fleetsim::kRoundDurations.begin(), fleetsim::kRoundDurations.end(), bin_s) == 1);
      continue;
    }
    // quickstart's one fault: us-east is down from 40 h for 45 min (144000 s to 146700 s), about
    // 6 px wide on a 5-day axis of about 1 000 px.
    check_bands_drawn(chart, 1);
    CHECK(chart["bands"][0]["from"] == 144000);
    CHECK(chart["bands"][0]["to"] == 146700);
    CHECK(chart["bands"][0]["label"] == "us-east outage 1d16h–1d16h45m");
  }
  CHECK(drawn == kCharts);
  // Release versus pickup, in figures beside the chart.
  CHECK(page.dom.find("Pickup lag at 50 % of the released devices") != std::string::npos);
}

TEST_CASE("The time-to-update histogram draws on a log scale without console messages in Chromium",
          "[reports][browser]") {
  TempDir tmp;
  const std::string out = tmp / "quickstart";
  REQUIRE(run_shipped("quickstart.json", out).exit_code == 0);
  const PageLoad page = load_page(out + "/report.html#histogram-log", tmp);
  REQUIRE(page.exit_code == 0);
  INFO(page.browser_log.substr(0, 4000));
  CHECK(console_lines(page.browser_log).empty());
  const nlohmann::json status = render_status(page.dom);
  REQUIRE(status.is_object());
  CHECK(status["errors"].empty());
  bool found = false;
  for (const auto& chart : status["charts"])
    if (chart["id"] == "update_time") {
      found = true;
      CHECK(chart["histogram"]["log"] == true);
      CHECK(chart["coloured_pixels"].get<int>() >= 500);
    }
  CHECK(found);
}

TEST_CASE("A report shades faults and each time zone's maintenance windows on every time chart in Chromium",
          "[reports][browser]") {
  TempDir tmp;
  std::ofstream(tmp / "faulted.json") << faulted_scenario().dump();
  const std::string out = tmp / "run";
  const Cli run = run_fleetsim("run " + shell_quote(tmp / "faulted.json") + " --quiet --out " + shell_quote(out));
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const PageLoad page = load_page(out + "/report.html", tmp);
  REQUIRE(page.exit_code == 0);
  INFO(page.browser_log.substr(0, 4000));
  CHECK(console_lines(page.browser_log).empty());
  const nlohmann::json status = render_status(page.dom);
  REQUIRE(status.is_object());
  CHECK(status["errors"].empty());
  int time_charts = 0;
  for (const auto& chart : status["charts"]) {
    if (chart["id"] == "update_time") continue;
    INFO("chart " << chart["id"]);
    ++time_charts;
    // Five faults and 2 windows in each of 2 time zones (report_views_test.cpp derives the times).
    check_bands_drawn(chart, 9);
  }
  CHECK(time_charts >= 6);
}

TEST_CASE("A report whose script fails shows up in Chromium's console log and never reports itself drawn",
          "[reports][browser]") {
  // The check above must be able to fail: the same page with its data cut short.
  TempDir tmp;
  const std::string out = tmp / "run";
  REQUIRE(run_shipped("qa/corrupt-cdn-cache.json", out).exit_code == 0);
  std::string html = slurp(out + "/report.html");
  const std::string marker = "<script id=\"fleetsim-data\" type=\"application/json\">";
  const size_t at = html.find(marker);
  REQUIRE(at != std::string::npos);
  html.insert(at + marker.size(), "{");  // no longer valid JSON
  std::ofstream(out + "/broken.html") << html;

  const PageLoad page = load_page(out + "/broken.html", tmp);
  REQUIRE(page.exit_code == 0);
  CHECK(!console_lines(page.browser_log).empty());
  CHECK(render_status(page.dom).is_null());
}

TEST_CASE("report.html loads nothing from outside the file", "[reports]") {
  TempDir tmp;
  REQUIRE(run_shipped("qa/corrupt-cdn-cache.json", tmp.path.string()).exit_code == 0);
  const std::string html = slurp(tmp / "report.html");
  // Scripts and styles are inline; no element fetches anything.
  CHECK(html.find("<script src") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("url(") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);
  CHECK(html.find("uPlot") != std::string::npos);
}
