// report.html in a real browser: headless Chromium loads the quickstart run's report from disk
// (no network), the page writes what it drew into #render-status, and Chromium's own log shows
// every console message the page produced.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "tests/cli_runner.hpp"
#include "tests/reports/headless_chromium.hpp"
#include "tests/reports/shipped_runs.hpp"
#include "tests/reports/text_between.hpp"

using namespace fleetsim::testing;


// One chart per time series family the report promises, plus the time-to-update distribution.
const std::set<std::string> kCharts = {"states",   "versions", "transfers",  "egress",
                                       "requests", "failures", "update_time"};

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
  }
  CHECK(drawn == kCharts);
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
