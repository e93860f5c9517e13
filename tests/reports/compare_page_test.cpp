// `fleetsim compare A B --html FILE` end to end: the quickstart (A, the baseline, with its 45-minute
// us-east outage) against the quickstart without the outage (B, the variant), both run for real;
// the console names the one scenario difference, and the page, loaded in headless Chromium, draws
// every overlaid chart with both runs' points and no script error. Its results are checked
// against the two summary.json files. (Plain blocks, not SECTIONs: the runs are made once.)
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "reports/results_folder.hpp"
#include "reports/summary_metrics.hpp"
#include "tests/cli_runner.hpp"
#include "tests/reports/headless_chromium.hpp"
#include "tests/reports/shipped_runs.hpp"
#include "tests/reports/text_between.hpp"

using namespace fleetsim::testing;
using Json = nlohmann::json;

namespace {

// The page's data, from <script id="fleetsim-data"> ("<\/" stands for "</" there).
Json page_data(const std::string& html) {
  const auto scripts = all_between(html, "<script id=\"fleetsim-data\" type=\"application/json\">", "</script>");
  REQUIRE(scripts.size() == 1);
  std::string text = scripts[0];
  for (size_t at; (at = text.find("<\\/")) != std::string::npos;) text.replace(at, 3, "</");
  return Json::parse(text);
}

// A result of summary.json by the page's row name: an assertion metric as summary.json records it
// (reports/summary_metrics.hpp, checked against the runs' own assertions in
// summary_metrics_test.cpp); per-region rows ("platform.peak_egress_bps us-east") from the
// region's entry.
Json summary_value(const Json& summary, const std::string& name) {
  if (const auto m = fleetsim::find_assertion_metric(name))
    return fleetsim::summary_metric_value(nlohmann::ordered_json(summary), *m);
  const size_t space = name.find(' ');
  REQUIRE(space != std::string::npos);
  const std::string field = name.substr(std::string("platform.").size(), space - std::string("platform.").size());
  for (const Json& r : summary["platform"]["regions"])
    if (r["region"] == name.substr(space + 1)) return r[field];
  return Json();
}

size_t values_in(const Json& values) {
  size_t n = 0;
  for (const Json& v : values) n += !v.is_null();
  return n;
}

}  // namespace

TEST_CASE("fleetsim compare of the quickstart with and without its outage names the difference and draws the "
          "overlaid page in headless Chromium",
          "[reports][browser][compare]") {
  TempDir tmp;
  const std::string base = tmp / "with-outage", variant = tmp / "without-outage", page_file = tmp / "cmp/compare.html";
  REQUIRE(run_shipped("quickstart.json", base).exit_code == 0);
  REQUIRE(run_shipped("quickstart.json", variant, " --set 'regions.us-east.outages=[]'").exit_code == 0);

  const Cli cli = run_fleetsim("compare " + shell_quote(base) + " " + shell_quote(variant) + " --html " +
                               shell_quote(page_file));
  INFO(cli.output);
  CHECK(cli.exit_code == 1);  // two scenarios: they differ, by definition
  // scenarios/quickstart.json: "us-east": {"rtt": "40ms", "outages": [{"at": "40h", "for": "45m"}]}.
  CHECK(cli.output.find("scenarios differ in 1 field (A vs B):\n"
                        "  /regions/us-east/outages: [{\"at\":\"40h\",\"for\":\"45m\"}] vs []\n") != std::string::npos);

  const std::string html = slurp(page_file);
  const Json data = page_data(html);
  const Json summary_a = Json::parse(slurp(base + "/summary.json")), summary_b = Json::parse(slurp(variant + "/summary.json"));

  {  // the results are both summaries' values and their differences
    // Every metric but devices.pending (summary.json does not record it), then 2 figures for each
    // of the 3 regions.
    REQUIRE(data["summary"].size() == fleetsim::kAssertionMetricCount - 1 + 2 * 3);
    int changed = 0;
    for (const Json& row : data["summary"]) {
      const std::string name = row["name"];
      INFO(name);
      const Json a = summary_value(summary_a, name), b = summary_value(summary_b, name);
      CHECK(row["a"] == a);
      CHECK(row["b"] == b);
      if (a.is_number() && b.is_number()) {
        const double x = a.get<double>(), y = b.get<double>();
        CHECK(row["delta"].get<double>() == y - x);
        if (x != 0) CHECK(row["change"].get<double>() == (y - x) / std::abs(x));
        changed += y != x;
      } else {
        CHECK(row["delta"].is_null());
      }
    }
    // Without the outage the rollout does not end the same (a check that could not fail otherwise).
    CHECK(changed > 0);
  }

  {  // the capacity charts show the outage in A only
    // us-east's CDN egress is 2 Gbit/s (the charts' unit is bit/s); during the outage A's capacity is 0.
    std::vector<double> lowest;
    for (const Json& run : data["runs"])
      for (const Json& chart : run["charts"])
        if (chart["id"] == "egress")
          for (const Json& limit : chart["limits"])
            if (limit["label"] == "us-east capacity") {
              double low = 1e300;
              for (const Json& v : limit["values"]) low = std::min(low, v.get<double>());
              lowest.push_back(low);
            }
    CHECK(lowest == std::vector<double>{0, 2'000'000'000});
  }

  {  // each run's decisions are listed, numbered A1… and B1…
    for (const auto& [letter, summary] : {std::pair{"A", &summary_a}, std::pair{"B", &summary_b}}) {
      const size_t n = (*summary)["rollout"]["decisions"].size();
      REQUIRE(n > 0);
      CHECK(html.find("<td>" + std::string(letter) + std::to_string(n) + "</td>") != std::string::npos);
      CHECK(html.find("<td>" + std::string(letter) + std::to_string(n + 1) + "</td>") == std::string::npos);
    }
    CHECK(html.find("<td>/regions/us-east/outages</td>") != std::string::npos);
  }

  {  // headless Chromium draws every chart with both runs' points and no script error
    const PageLoad page = load_page(page_file, tmp);
    REQUIRE(page.exit_code == 0);
    INFO(page.browser_log.substr(0, 4000));
    CHECK(console_lines(page.browser_log).empty());
    const Json status = render_status(page.dom);
    REQUIRE(status.is_object());
    CHECK(status["errors"].empty());
    // Each time chart's points: the values of both runs' series (limits not counted), from the
    // page's own data; the time-to-update curves are drawn from the histograms.
    std::map<std::string, size_t> expected;
    for (const Json& run : data["runs"])
      for (const Json& chart : run["charts"])
        for (const Json& s : chart["series"]) expected[chart["id"]] += values_in(s["values"]);
    std::set<std::string> drawn;
    for (const Json& chart : status["charts"]) {
      const std::string id = chart["id"];
      INFO("chart " << id);
      drawn.insert(id);
      if (id != "update_time") CHECK(chart["points"].get<size_t>() == expected[id]);
      CHECK(chart["points"].get<size_t>() > 0);
      // As for report.html: a series across the ~1 000 px plot area colours at least a pixel per column.
      CHECK(chart["coloured_pixels"].get<int>() >= 500);
    }
    // report.html's time charts (without the per-cohort and per-region ones, which need the
    // scenario's cohorts) and the compare page's own time-to-update chart.
    CHECK(drawn == std::set<std::string>{"on_target", "states", "versions", "waves", "pickup", "transfers", "egress",
                                         "requests", "failures", "update_time"});
  }
}

TEST_CASE("fleetsim compare --html to a path it cannot write exits 3 naming it", "[reports][compare]") {
  TempDir tmp;
  const std::string run = tmp / "run";
  REQUIRE(run_shipped("qa/corrupt-cdn-cache.json", run, " --set 'seed=1'").exit_code <= 1);
  std::ofstream(tmp / "file") << "a file, not a folder";
  const std::string other = tmp / "other";
  REQUIRE(run_shipped("qa/corrupt-cdn-cache.json", other, " --set 'seed=2'").exit_code <= 1);
  const Cli cli = run_fleetsim("compare " + shell_quote(run) + " " + shell_quote(other) + " --html " +
                               shell_quote(tmp / "file/compare.html"));
  CHECK(cli.exit_code == 3);
  CHECK(cli.output.find("--html " + tmp / "file/compare.html") != std::string::npos);
  CHECK(cli.output.find("\n  /seed: 1 vs 2\n") != std::string::npos);  // the comparison itself was printed
}

TEST_CASE("fleetsim compare refuses a summary.json of unexpected content with exit 2 naming it", "[reports][compare]") {
  // A region whose name is a number: report.html's charts cannot be made from it (as `fleetsim
  // report` says too), and the comparison names the file instead of failing on it.
  TempDir tmp;
  const std::string a = tmp / "a", b = tmp / "b";
  REQUIRE(run_shipped("qa/corrupt-cdn-cache.json", a).exit_code <= 1);
  REQUIRE(run_shipped("qa/corrupt-cdn-cache.json", b).exit_code <= 1);
  Json summary = Json::parse(slurp(b + "/summary.json"));
  summary["platform"]["regions"][0]["region"] = 5;
  std::vector<fleetsim::ResultFile> kept;
  const Json manifest = Json::parse(slurp(b + "/manifest.json"));
  for (const Json& f : manifest["files"])
    if (f["name"] != "summary.json") kept.push_back({f["name"], f["bytes"], f["sha256"]});
  REQUIRE(fleetsim::commit_results(b, {{"summary.json", summary.dump()}}, fleetsim::RunState::Complete, kept).empty());
  const Cli cli = run_fleetsim("compare " + shell_quote(a) + " " + shell_quote(b));
  INFO(cli.output);
  CHECK(cli.exit_code == 2);
  CHECK(cli.output.find(b + "/summary.json: unexpected content") != std::string::npos);
}

TEST_CASE("fleetsim compare --html of two runs of one scenario shows their device-by-device agreement and no "
          "difference",
          "[reports][compare]") {
  // The quickstart cut to 2,100 devices, run twice: the runs are deterministic, so they agree
  // device by device and every result is the same (B − A = 0).
  TempDir tmp;
  const std::string small =
      " --trace-devices --set 'fleet.cohorts[0].count=1000' --set 'fleet.cohorts[1].count=500'"
      " --set 'fleet.cohorts[2].count=500' --set 'fleet.cohorts[3].count=100' --set 'rollout.waves[0].devices=20'";
  REQUIRE(run_shipped("quickstart.json", tmp / "first", small).exit_code == 0);
  REQUIRE(run_shipped("quickstart.json", tmp / "second", small).exit_code == 0);
  const Cli cli = run_fleetsim("compare " + shell_quote(tmp / "first") + " " + shell_quote(tmp / "second") +
                               " --html " + shell_quote(tmp / "same.html"));
  INFO(cli.output);
  CHECK(cli.exit_code == 0);
  CHECK(cli.output.find("scenarios: the same\n2100 devices; different outcome 0") != std::string::npos);
  const std::string html = slurp(tmp / "same.html");
  CHECK(html.find("<p>None: both runs simulated the same scenario.</p>") != std::string::npos);
  CHECK(html.find("2100 devices; different outcome 0, final version 0, attempts 0, bytes 0") != std::string::npos);
  CHECK(html.find("<b>Agree</b>") != std::string::npos);
  const Json data = page_data(html);
  CHECK(data["scenario_differences"].empty());
  for (const Json& row : data["summary"]) {
    INFO(row.dump());
    CHECK(row["a"] == row["b"]);
    if (row["a"].is_number()) CHECK(row["delta"] == 0);
  }
}

TEST_CASE("fleetsim compare reads a folder as fleetsim report does: a deleted report.html is regenerated, not "
          "refused",
          "[reports][compare]") {
  // The reports are made from the data (read_run_report lets them be absent); two seeds of one
  // scenario file differ in /seed only.
  TempDir tmp;
  const std::string a = tmp / "a", b = tmp / "b";
  REQUIRE(run_shipped("qa/corrupt-cdn-cache.json", a, " --set 'seed=1'").exit_code <= 1);
  REQUIRE(run_shipped("qa/corrupt-cdn-cache.json", b, " --set 'seed=2'").exit_code <= 1);
  REQUIRE(std::filesystem::remove(b + "/report.html"));
  const Cli cli = run_fleetsim("compare " + shell_quote(a) + " " + shell_quote(b));
  INFO(cli.output);
  CHECK(cli.exit_code == 1);  // two scenarios: they differ
  CHECK(cli.output.find("scenarios differ in 1 field (A vs B):\n  /seed: 1 vs 2\n") != std::string::npos);
}

TEST_CASE("fleetsim compare refuses a scenario.json nested a hundred thousand deep with exit 2 naming it", "[reports][compare]") {
  // A hand-edited (or hostile) scenario.json committed with its run: it is parsed as a scenario
  // file is (at most kMaxJsonDepth = 64 levels), not walked recursively until the stack ends.
  TempDir tmp;
  const std::string a = tmp / "a", b = tmp / "b";
  REQUIRE(run_shipped("qa/corrupt-cdn-cache.json", a).exit_code <= 1);
  REQUIRE(run_shipped("qa/corrupt-cdn-cache.json", b).exit_code <= 1);
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  std::vector<fleetsim::ResultFile> kept;
  const Json manifest = Json::parse(slurp(b + "/manifest.json"));
  for (const Json& f : manifest["files"])
    if (f["name"] != "scenario.json") kept.push_back({f["name"], f["bytes"], f["sha256"]});
  REQUIRE(fleetsim::commit_results(b, {{"scenario.json", deep}}, fleetsim::RunState::Complete, kept).empty());
  const Cli cli = run_fleetsim("compare " + shell_quote(a) + " " + shell_quote(b));
  INFO(cli.output.substr(0, 2000));
  CHECK(cli.exit_code == 2);
  // The 65th '[' opens the 65th level: column 65 of line 1.
  CHECK(cli.output.find(b + "/scenario.json: line 1, column 65: arrays and objects nested more than 64 deep") !=
        std::string::npos);
}
