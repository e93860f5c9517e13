// Specification of `fleetsim sweep` (sim/scenario/sweep_plan.hpp): the cross product of the varied
// fields, several seeds per point, one sweep.csv row per run with results equal to what the run
// itself reports, resume by skipping complete runs, and every point validated before anything
// runs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "reports/sweep_writers.hpp"
#include "tests/cli_runner.hpp"
#include "tests/reports/headless_chromium.hpp"
#include "tests/test_scenarios.hpp"

namespace {

using fleetsim::SweepRun;
using fleetsim::SweepSpec;
using fleetsim::testing::Doc;
using fleetsim::testing::run_fleetsim;
using fleetsim::testing::shell_quote;
using fleetsim::testing::slurp;
using fleetsim::testing::TempDir;

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(slurp(path));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  FAIL("no column " << name);
  return 0;
}

// Ten devices of the minimal model (test_scenarios.hpp) with 1 MB/s links behind one CDN link:
// the link binds, all ten share it equally and finish together.
struct Assert {
  const char* metric;
  const char* op;
  const char* value;
};

std::string write_scenario(const TempDir& dir, const std::vector<Assert>& assertions = {}) {
  Doc doc = fleetsim::testing::minimal_scenario(10);
  doc["device_models"]["m"]["link"]["downlink"] = "1MB/s";
  for (const Assert& a : assertions)
    doc["assertions"].push_back({{"metric", a.metric}, {"op", a.op}, {"value", a.value}});
  const std::string path = dir / "sweep.json";
  std::ofstream(path) << doc.dump(2);
  return path;
}

}  // namespace

TEST_CASE("a sweep runs the cross product with every seed and reports each run's results", "[sweep][cli]") {
  TempDir dir;
  const std::string scenario = write_scenario(dir, {{"rollout.time_to_90", "<=", "100s"}});
  const auto cli = run_fleetsim("sweep " + shell_quote(scenario) +
                                " --vary platform.cdn.regions.r.egress=1000B/s,2000B/s,4000B/s"
                                " --vary rollout.max_concurrent=5,10 --seeds 2 --jobs 2 --out " +
                                shell_quote(dir / "out"));
  INFO(cli.output);
  REQUIRE(cli.exit_code == 0);  // a failed assertion is a result, not an error of the sweep
  const auto rows = read_csv(dir / "out/sweep.csv");
  REQUIRE(rows.size() == 1 + 3 * 2 * 2);  // header + 3 egress × 2 limits × 2 seeds, in plan order
  const auto& h = rows[0];
  const size_t egress = column(h, "platform.cdn.regions.r.egress"), limit = column(h, "rollout.max_concurrent"),
               seed = column(h, "seed"), t50 = column(h, "time_to_50_h"), t90 = column(h, "time_to_90_h"),
               state = column(h, "rollout.state"), verdict = column(h, "verdict"), exit = column(h, "exit_code");
  CHECK(rows[1][egress] == "1000B/s");
  CHECK(rows[1][limit] == "5");
  CHECK(rows[1][seed] == "1");
  CHECK(rows[2][seed] == "2");
  CHECK(rows[3][limit] == "10");
  CHECK(rows[5][egress] == "2000B/s");
  CHECK(rows[12][egress] == "4000B/s");
  CHECK(rows[12][limit] == "10");
  // With max_concurrent 10 all ten devices download together from t = 4 s (test_scenarios.hpp
  // timeline): 10 × 10000 B at the link's C take 100000 / C, then 36 s of verify, install,
  // reboot and health check: 50 % and 90 % are on target at 4 + 100000/C + 36 → 140, 90, 65 s,
  // which the CSV gives in hours. The assertion time_to_90 <= 100 s fails at 1000 B/s only.
  const double expected_s[] = {140, 90, 65};
  const char* expected_verdict[] = {"fail", "pass", "pass"};
  for (int e = 0; e < 3; ++e)
    for (int s = 0; s < 2; ++s) {
      const auto& row = rows[size_t(1 + e * 4 + 2 + s)];
      INFO("row " << 1 + e * 4 + 2 + s);
      CHECK(row[limit] == "10");
      CHECK(row[state] == "completed");
      CHECK(std::stod(row[t50]) == Approx(expected_s[e] / 3600).epsilon(1e-12));
      CHECK(std::stod(row[t90]) == Approx(expected_s[e] / 3600).epsilon(1e-12));
      CHECK(row[verdict] == expected_verdict[e]);
    }
  // Every row: the verdict is the run's exit code (0 pass, 1 an assertion failed) and agrees with
  // the time to 90 % the row shows.
  for (size_t r = 1; r < rows.size(); ++r) {
    INFO("row " << r);
    const bool within = std::stod(rows[r][t90]) * 3600 <= 100 + 1e-9;
    CHECK(rows[r][verdict] == (within ? "pass" : "fail"));
    CHECK(rows[r][exit] == (within ? "0" : "1"));
  }
  const std::string html = slurp(dir / "out/sweep.html");
  CHECK(html.find("<table id=\"sweep\">") != std::string::npos);
  CHECK(html.find("4000B/s") != std::string::npos);
}

TEST_CASE("sweep.csv leaves a time to X % empty when the run did not reach it", "[sweep][cli]") {
  // Ten devices, each with a 1 MB/s link behind 1 GB/s of CDN egress: each downloads its 10000 B
  // in 0.01 s from t = 4 s and is on target 36 s later, all at 40.01 s (test_scenarios.hpp
  // timeline). A 30 s run ends before any of them; a 1 h run has every threshold at 40.01 s.
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  const auto cli = run_fleetsim("sweep " + shell_quote(scenario) + " --vary duration=30s,1h --quiet --out " +
                                shell_quote(dir / "out"));
  INFO(cli.output);
  REQUIRE(cli.exit_code == 0);
  const auto rows = read_csv(dir / "out/sweep.csv");
  REQUIRE(rows.size() == 3);
  for (const std::string name : {"time_to_50_h", "time_to_90_h", "time_to_95_h", "time_to_99_h"}) {
    INFO(name);
    const size_t c = column(rows[0], name);
    CHECK(rows[1][c].empty());
    CHECK(std::stod(rows[2][c]) == Approx(40.01 / 3600).epsilon(1e-12));
  }
}

TEST_CASE("a sweep row holds the same results as running its point directly", "[sweep][cli]") {
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  REQUIRE(run_fleetsim("sweep " + shell_quote(scenario) + " --vary rollout.max_concurrent=3 --quiet --out " +
                       shell_quote(dir / "out"))
              .exit_code == 0);
  REQUIRE(run_fleetsim("run " + shell_quote(scenario) + " --set rollout.max_concurrent=3 --quiet --out " +
                       shell_quote(dir / "direct"))
              .exit_code == 0);
  const auto summary = nlohmann::json::parse(slurp(dir / "direct/summary.json"));
  const auto rows = read_csv(dir / "out/sweep.csv");
  REQUIRE(rows.size() == 2);
  // Hours are the seconds of summary.json divided by 3600, written with every digit that double needs.
  for (const std::string p : {"50", "90", "95", "99"}) {
    INFO("p" << p);
    const double seconds = summary["rollout"]["time_to_s"]["p" + p].get<double>();
    CHECK(std::stod(rows[1][column(rows[0], "time_to_" + p + "_h")]) == seconds / 3600);
  }
  CHECK(std::stod(rows[1][column(rows[0], "bytes.delivered_B")]) == summary["bytes"]["delivered"].get<double>());
  CHECK(rows[1][column(rows[0], "rollout.state")] == summary["rollout"]["state"].get<std::string>());
}

TEST_CASE("a sweep run again skips the runs whose results are complete", "[sweep][cli]") {
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  const std::string args = "sweep " + shell_quote(scenario) + " --vary rollout.max_concurrent=2,4 --seeds 2 --out " +
                           shell_quote(dir / "out");
  REQUIRE(run_fleetsim(args).exit_code == 0);
  const std::string first_csv = slurp(dir / "out/sweep.csv");
  // Remove one run's record: only that run is repeated.
  std::filesystem::path runs = dir / "out/runs";
  std::vector<std::filesystem::path> dirs;
  for (const auto& e : std::filesystem::directory_iterator(runs)) dirs.push_back(e.path());
  REQUIRE(dirs.size() == 4);
  std::sort(dirs.begin(), dirs.end());
  std::filesystem::remove(dirs[0] / "point.json");
  const auto again = run_fleetsim(args);
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  size_t skipped = 0, pos = 0;
  while ((pos = again.output.find("(already complete)", pos)) != std::string::npos) ++skipped, ++pos;
  CHECK(skipped == 3);
  CHECK(slurp(dir / "out/sweep.csv") == first_csv);  // deterministic runs: the same table
}

TEST_CASE("a sweep run again with other --metric reruns nothing and shows the metrics picked", "[sweep][cli]") {
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  const std::string args = "sweep " + shell_quote(scenario) + " --vary rollout.max_concurrent=2,4 --out " +
                           shell_quote(dir / "out");
  REQUIRE(run_fleetsim(args).exit_code == 0);
  const auto first = read_csv(dir / "out/sweep.csv");
  const auto again = run_fleetsim(args + " --metric bytes.retransmitted --metric fleet.on_target --metric "
                                         "rollout.time_to_50 --metric fleet.on_target");
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  size_t skipped = 0;
  for (size_t at = again.output.find("(already complete)"); at != std::string::npos;
       at = again.output.find("(already complete)", at + 1))
    ++skipped;
  CHECK(skipped == 2);
  const auto rows = read_csv(dir / "out/sweep.csv");
  REQUIRE(rows.size() == 3);
  // The time columns always, then the picked metrics once each (rollout.time_to_50 is time_to_50_h).
  CHECK(rows[0] == std::vector<std::string>{"rollout.max_concurrent", "seed", "exit_code", "verdict", "time_to_50_h",
                                            "time_to_90_h", "time_to_95_h", "time_to_99_h", "bytes.retransmitted_B",
                                            "fleet.on_target"});
  for (size_t r = 1; r < 3; ++r) {
    CHECK(rows[r][column(rows[0], "bytes.retransmitted_B")] == "0");  // no faults: nothing downloaded twice
    CHECK(rows[r][column(rows[0], "fleet.on_target")] == "10");      // the 1 h run updates all ten
    CHECK(rows[r][column(rows[0], "time_to_99_h")] == first[r][column(first[0], "time_to_99_h")]);
  }
}

TEST_CASE("sweep --metric with a name that is not a metric summary.json records exits 2 before running", "[sweep][cli]") {
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  const auto typo = run_fleetsim("sweep " + shell_quote(scenario) +
                                 " --vary rollout.max_concurrent=2 --metric platform.peak_egres_bps --out " +
                                 shell_quote(dir / "out"));
  CHECK(typo.exit_code == 2);
  CHECK(typo.output.find("--metric platform.peak_egres_bps: no such metric (did you mean \"platform.peak_egress_bps\"?)") !=
        std::string::npos);
  const auto unrecorded = run_fleetsim("sweep " + shell_quote(scenario) +
                                       " --vary rollout.max_concurrent=2 --metric devices.pending --out " +
                                       shell_quote(dir / "out"));
  CHECK(unrecorded.exit_code == 2);
  CHECK(unrecorded.output.find("--metric devices.pending: a sweep cannot show it") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "out"));
}

TEST_CASE("a sweep with an invalid point or a malformed --vary runs nothing and exits 2", "[sweep][cli]") {
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  const auto bad_value = run_fleetsim("sweep " + shell_quote(scenario) + " --vary rollout.max_concurrent=4,lots --out " +
                                      shell_quote(dir / "out"));
  CHECK(bad_value.exit_code == 2);
  CHECK(bad_value.output.find("rollout.max_concurrent=lots") != std::string::npos);
  CHECK(bad_value.output.find("/rollout/max_concurrent") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "out/runs"));
  const auto no_values = run_fleetsim("sweep " + shell_quote(scenario) + " --vary rollout.max_concurrent");
  CHECK(no_values.exit_code == 2);
  CHECK(no_values.output.find("PATH=VALUE") != std::string::npos);
  const auto no_vary = run_fleetsim("sweep " + shell_quote(scenario));
  CHECK(no_vary.exit_code == 2);
}

TEST_CASE("sweep.html draws every picked metric against every varied parameter in headless Chromium",
          "[sweep][cli][reports]") {
  // 2 egress values × 2 limits, 2 seeds: per parameter one chart per picked number metric, each with
  // a point for every value of the parameter on every line (2 lines × 2 values = 4 points).
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  REQUIRE(run_fleetsim("sweep " + shell_quote(scenario) +
                       " --vary platform.cdn.regions.r.egress=1000B/s,2000B/s --vary rollout.max_concurrent=5,10"
                       " --seeds 2 --quiet --out " + shell_quote(dir / "out"))
              .exit_code == 0);
  const auto page = fleetsim::testing::load_page(dir / "out/sweep.html", dir);
  INFO(page.browser_log);
  REQUIRE(page.exit_code == 0);
  CHECK(fleetsim::testing::console_lines(page.browser_log).empty());
  const auto status = fleetsim::testing::render_status(page.dom);
  REQUIRE(status.is_object());
  CHECK(status["errors"].empty());
  std::set<std::string> ids;
  for (const auto& chart : status["charts"]) {
    INFO(chart.dump());
    ids.insert(chart["id"].get<std::string>());
    CHECK(chart["points"].get<int>() == 4);
    CHECK(chart["markers"]["pass"].get<int>() == 4);  // no assertions: every run passes
    CHECK(chart["markers"]["fail"].get<int>() == 0);
    CHECK(chart["markers"]["error"].get<int>() == 0);
    CHECK(chart["coloured_pixels"].get<int>() > 100);
  }
  for (const std::string axis : {"platform.cdn.regions.r.egress", "rollout.max_concurrent"})
    for (const std::string result : {"fleet.on_target_fraction", "time_to_90_h", "platform.peak_egress_bps",
                                     "bytes.delivered_B"})
      CHECK(ids.count(result + "@" + axis) == 1);
}

TEST_CASE("sweep.html places numeric values to scale and colours each point by its verdict in headless Chromium",
          "[sweep][cli][reports]") {
  // max_concurrent 10: the time to 90 % is 140, 90 and 65 s at 1000, 2000 and 4000 B/s of egress
  // (see the first test case), so the assertion time_to_90 <= 100 s fails at 1000 B/s only.
  TempDir dir;
  const std::string scenario = write_scenario(dir, {{"rollout.time_to_90", "<=", "100s"}});
  REQUIRE(run_fleetsim("sweep " + shell_quote(scenario) +
                       " --vary platform.cdn.regions.r.egress=1000B/s,4000B/s,2000B/s --set rollout.max_concurrent=10"
                       " --metric rollout.time_to_90 --metric platform.peak_concurrent_transfers --quiet --out " +
                       shell_quote(dir / "out"))
              .exit_code == 0);
  const std::string html = slurp(dir / "out/sweep.html");
  // The page's data: the rates as numbers of B/s, in the order written.
  const auto data = nlohmann::json::parse(fleetsim::testing::all_between(html, "id=\"sweep-data\">", "</script>").at(0));
  CHECK(data["axes"][0]["numeric"]["numbers"] == nlohmann::json::array({1000, 4000, 2000}));
  CHECK(data["axes"][0]["numeric"]["unit"] == "B/s");
  CHECK(html.find("<td class=\"l fail\">fail</td>") != std::string::npos);
  const auto page = fleetsim::testing::load_page(dir / "out/sweep.html", dir);
  INFO(page.browser_log);
  REQUIRE(page.exit_code == 0);
  const auto status = fleetsim::testing::render_status(page.dom);
  REQUIRE(status.is_object());
  CHECK(status["errors"].empty());
  REQUIRE(status["charts"].size() == 2);
  for (const auto& chart : status["charts"]) {
    INFO(chart.dump());
    CHECK(chart["points"].get<int>() == 3);
    CHECK(chart["markers"]["pass"].get<int>() == 2);
    CHECK(chart["markers"]["fail"].get<int>() == 1);
    CHECK(chart["markers"]["error"].get<int>() == 0);  // every run has results
    CHECK(chart["coloured_pixels"].get<int>() > 100);
    const auto& x = chart["x_axis"];
    CHECK(x["numeric"].get<bool>());
    CHECK(x["unit"] == "B/s");
    // Ascending, and to scale: 1000 → 2000 is a third of the way from 1000 to 4000.
    REQUIRE(x["positions"].size() == 3);
    CHECK(x["positions"][0]["value"] == 1000);
    CHECK(x["positions"][1]["value"] == 2000);
    CHECK(x["positions"][2]["value"] == 4000);
    const double p0 = x["positions"][0]["px"], p1 = x["positions"][1]["px"], p2 = x["positions"][2]["px"];
    CHECK(p2 - p0 > 300);  // spread over the plot
    CHECK((p1 - p0) / (p2 - p0) == Approx(1.0 / 3).margin(0.01));
  }
}

TEST_CASE("sweep.html puts a parameter spanning a factor of 20 on a logarithmic axis in headless Chromium",
          "[sweep][cli][reports]") {
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  REQUIRE(run_fleetsim("sweep " + shell_quote(scenario) +
                       " --vary platform.cdn.regions.r.egress=1000B/s,4000B/s,40000B/s --metric rollout.time_to_90"
                       " --quiet --out " + shell_quote(dir / "out"))
              .exit_code == 0);
  const auto page = fleetsim::testing::load_page(dir / "out/sweep.html", dir);
  INFO(page.browser_log);
  REQUIRE(page.exit_code == 0);
  const auto status = fleetsim::testing::render_status(page.dom);
  REQUIRE(status.is_object());
  CHECK(status["errors"].empty());
  REQUIRE(status["charts"].size() == 1);
  const auto& x = status["charts"][0]["x_axis"];
  INFO(x.dump());
  CHECK(x["log"].get<bool>());
  REQUIRE(x["positions"].size() == 3);
  // Equal ratios at equal distances: 1000 → 4000 is log10(4) / log10(40) = 0.3758 of 1000 → 40000.
  const double p0 = x["positions"][0]["px"], p1 = x["positions"][1]["px"], p2 = x["positions"][2]["px"];
  CHECK((p1 - p0) / (p2 - p0) == Approx(std::log10(4.0) / std::log10(40.0)).margin(0.01));
  // Ticks at 1, 2 and 5 × 10^k within the range, 1000 / 1.5 … 40000 × 1.5.
  CHECK(x["labels"] == nlohmann::json::array({"1 kB/s", "2 kB/s", "5 kB/s", "10 kB/s", "20 kB/s", "50 kB/s"}));
}

TEST_CASE("a sweep run again computes the points whose scenario or program changed", "[sweep][cli]") {
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  const std::string args = "sweep " + shell_quote(scenario) + " --vary rollout.max_concurrent=2,4 --out " +
                           shell_quote(dir / "out");
  REQUIRE(run_fleetsim(args).exit_code == 0);
  auto delivered = [&] {
    const auto rows = read_csv(dir / "out/sweep.csv");
    std::vector<double> v;
    for (size_t i = 1; i < rows.size(); ++i) v.push_back(std::stod(rows[i][column(rows[0], "bytes.delivered_B")]));
    return v;
  };
  // Ten devices of 10000 B each.
  CHECK(delivered() == std::vector<double>{100000, 100000});

  // The same scenario written differently (indentation, key order kept) is the same computation.
  Doc doc = Doc::parse(slurp(scenario));
  std::ofstream(scenario) << doc.dump(8);
  const auto same = run_fleetsim(args);
  INFO(same.output);
  size_t skipped = 0;
  for (size_t at = same.output.find("(already complete)"); at != std::string::npos;
       at = same.output.find("(already complete)", at + 1))
    ++skipped;
  CHECK(skipped == 2);  // both points

  // A larger image: every point is run again, 10 × 20000 B.
  doc["firmware"]["size"] = "20000B";
  std::ofstream(scenario) << doc.dump(2);
  const auto changed = run_fleetsim(args);
  INFO(changed.output);
  REQUIRE(changed.exit_code == 0);
  CHECK(changed.output.find("(already complete)") == std::string::npos);
  CHECK(delivered() == std::vector<double>{200000, 200000});

  // Another build of the program (here: the same executable with a byte appended) runs them again too.
  const std::string other = dir / "fleetsim-other-build";
  std::filesystem::copy_file(FLEETSIM_BIN, other);
  std::ofstream(other, std::ios::app | std::ios::binary) << '\0';
  std::filesystem::permissions(other, std::filesystem::perms::owner_exec, std::filesystem::perm_options::add);
  const auto rebuilt = fleetsim::testing::run_program(other, args);
  INFO(rebuilt.output);
  REQUIRE(rebuilt.exit_code == 0);
  CHECK(rebuilt.output.find("(already complete)") == std::string::npos);
}

TEST_CASE("sweep.html value axes show distinct labels that fit beside the plot", "[sweep][reports]") {
  // Hand-made results: on-target fractions 0.9991 … 0.9997 (neighbouring ticks differ in the
  // fourth decimal) and peak egress around 12.3 Gbit/s (long labels).
  SweepSpec spec;
  spec.scenario_file = "hand-made.json";
  spec.axes = {{"rollout.max_concurrent", {"1000", "2000", "3000", "4000"}}};
  spec.metrics = {fleetsim::AssertionMetric::FleetOnTargetFraction, fleetsim::AssertionMetric::PlatformPeakEgressBps};
  std::vector<SweepRun> runs;
  const std::vector<std::string> fractions = {"0.9991", "0.9993", "0.9995", "0.9997"};
  for (size_t i = 0; i < fractions.size(); ++i) {
    SweepRun run;
    run.values = {spec.axes[0].values[i]};
    run.exit_code = 0;
    run.results = {{"fleet.on_target_fraction", fractions[i]},
                   {"platform.peak_egress_bps", std::to_string(12345678901LL + 1000000LL * i)}};
    runs.push_back(run);
  }
  TempDir dir;
  const std::string html = dir / "sweep.html";
  std::ofstream(html) << fleetsim::sweep_html(spec, runs);
  const auto page = fleetsim::testing::load_page(html, dir);
  INFO(page.browser_log);
  REQUIRE(page.exit_code == 0);
  const auto status = fleetsim::testing::render_status(page.dom);
  REQUIRE(status.is_object());
  CHECK(status["errors"].empty());
  REQUIRE(status["charts"].size() == 2);
  for (const auto& chart : status["charts"]) {
    INFO(chart.dump());
    const auto& y = chart["y_axis"];
    std::vector<std::string> labels;
    for (const auto& l : y["labels"])
      if (!l.get<std::string>().empty()) labels.push_back(l.get<std::string>());
    REQUIRE(labels.size() >= 2);
    CHECK(std::set<std::string>(labels.begin(), labels.end()).size() == labels.size());
    // Ticks (10 px) and gap (5 px) must leave the text its width.
    CHECK(y["label_width"].get<int>() + 15 <= y["size"].get<int>());
  }
}

TEST_CASE("a varied parameter whose values are quantities of one kind is a numeric axis in their unit", "[sweep][reports]") {
  using fleetsim::numeric_axis;
  using fleetsim::SweepAxis;
  auto numbers = [](const SweepAxis& axis) { return numeric_axis(axis)->numbers; };
  CHECK(numbers({"rollout.max_concurrent", {"10", "2.5", "40"}}) == std::vector<double>{10, 2.5, 40});
  CHECK(numeric_axis({"rollout.max_concurrent", {"10", "40"}})->unit.empty());
  // Rates: bytes per second when every value is written so, else bit/s (8 bits a byte).
  CHECK(numbers({"e", {"1000B/s", "2kB/s"}}) == std::vector<double>{1000, 2000});
  CHECK(numeric_axis({"e", {"1000B/s", "2kB/s"}})->unit == "B/s");
  CHECK(numbers({"e", {"5Gbps", "1MB/s"}}) == std::vector<double>{5e9, 8e6});
  CHECK(numeric_axis({"e", {"5Gbps", "1MB/s"}})->unit == "bit/s");
  CHECK(numbers({"p", {"300/min", "20/s"}}) == std::vector<double>{5, 20});
  CHECK(numeric_axis({"p", {"300/min", "20/s"}})->unit == "/s");
  // Sizes in bytes (KiB = 1024), here spanning a factor of 1024: a logarithmic axis.
  const auto sizes = numeric_axis({"firmware.size", {"1KiB", "1MiB"}});
  CHECK(sizes->numbers == std::vector<double>{1024, 1048576});
  CHECK(sizes->unit == "B");
  CHECK(sizes->logarithmic);
  CHECK_FALSE(numeric_axis({"e", {"1000B/s", "4000B/s"}})->logarithmic);
  // Durations in the unit of the largest: 2 h or more in hours, 2 min or more in minutes.
  CHECK(numbers({"duration", {"30m", "1h30m", "3h"}}) == std::vector<double>{0.5, 1.5, 3});
  CHECK(numeric_axis({"duration", {"30m", "3h"}})->unit == "h");
  CHECK(numbers({"duration", {"90s", "5m"}}) == std::vector<double>{1.5, 5});
  CHECK(numeric_axis({"duration", {"90s", "5m"}})->unit == "min");
  CHECK(numbers({"f", {"5%", "12.5%"}}) == std::vector<double>{5, 12.5});
  // Anything else, or a mix of kinds, is categorical.
  CHECK_FALSE(numeric_axis({"rollout.strategy", {"all-at-once", "waves"}}));
  CHECK_FALSE(numeric_axis({"x", {"5", "10s"}}));
  CHECK_FALSE(numeric_axis({"x", {"1MB", "10s"}}));
}

namespace {

// Hand-made runs of a sweep over rollout.max_concurrent, two seeds a point, with the exit codes of
// sim/core/exit_codes.hpp: 0 passed, 1 an assertion failed, 2 bad input, 3 infrastructure; only
// runs that exited 0 or 1 have results (the time to 90 % in seconds).
struct HandRun {
  const char* value;
  int exit_code;
  const char* time_to_90_s;  // nullptr: no results
};

std::vector<SweepRun> hand_made_runs(const SweepSpec& spec, const std::vector<HandRun>& hand) {
  std::vector<SweepRun> runs;
  for (size_t i = 0; i < hand.size(); ++i) {
    SweepRun run;
    run.values = {hand[i].value};
    run.seed = 1 + i % size_t(spec.seeds);
    run.exit_code = hand[i].exit_code;
    if (hand[i].time_to_90_s) run.results = {{"rollout.time_to_90", hand[i].time_to_90_s}, {"rollout.state", "completed"}};
    runs.push_back(run);
  }
  return runs;
}

SweepSpec error_point_spec() {
  SweepSpec spec;
  spec.scenario_file = "hand-made.json";
  spec.axes = {{"rollout.max_concurrent", {"5", "10", "20", "40"}}};
  spec.seeds = 2;
  spec.metrics = {fleetsim::AssertionMetric::RolloutState, fleetsim::AssertionMetric::RolloutTimeTo90};
  return spec;
}

// 5: both passed (1 h, 3 h). 10: seed 1 bad input, seed 2 passed (2 h). 20: both without results
// (exit 2 and 3). 40: seed 1 an assertion failed (0.5 h), seed 2 infrastructure (exit 3).
const std::vector<HandRun> kErrorPointRuns = {{"5", 0, "3600"},  {"5", 0, "10800"}, {"10", 2, nullptr},
                                              {"10", 0, "7200"}, {"20", 2, nullptr}, {"20", 3, nullptr},
                                              {"40", 1, "1800"}, {"40", 3, nullptr}};

// The table row of the point whose value is `value`.
std::string table_row(const std::string& html, const std::string& value) {
  for (const std::string& row : fleetsim::testing::all_between(html, "<tr>", "</tr>"))
    if (row.rfind("<td class=\"l\">" + value + "</td>", 0) == 0) return row;
  FAIL("no row for " << value);
  return "";
}

}  // namespace

TEST_CASE("a sweep run that exited 2 or 3 has the verdict error, not fail, in sweep.csv and sweep.html",
          "[sweep][reports]") {
  const SweepSpec spec = error_point_spec();
  const std::vector<SweepRun> runs = hand_made_runs(spec, kErrorPointRuns);

  const std::string csv = fleetsim::sweep_csv(spec, runs);
  std::vector<std::vector<std::string>> rows;
  {
    TempDir dir;
    std::ofstream(dir / "sweep.csv") << csv;
    rows = read_csv(dir / "sweep.csv");
  }
  REQUIRE(rows.size() == 1 + 8);
  const size_t exit = column(rows[0], "exit_code"), verdict = column(rows[0], "verdict"),
               t90 = column(rows[0], "time_to_90_h");
  // Exit 0 pass, 1 fail, anything else error — with the exit code itself beside it.
  const std::vector<std::pair<std::string, std::string>> expected = {{"0", "pass"}, {"0", "pass"}, {"2", "error"},
                                                                     {"0", "pass"}, {"2", "error"}, {"3", "error"},
                                                                     {"1", "fail"}, {"3", "error"}};
  for (size_t r = 0; r < expected.size(); ++r) {
    INFO("row " << r + 1);
    CHECK(rows[r + 1][exit] == expected[r].first);
    CHECK(rows[r + 1][verdict] == expected[r].second);
  }
  CHECK(rows[3][t90].empty());  // no results: the time cell is empty
  CHECK(rows[4][t90] == "2");   // 7200 s

  const std::string html = fleetsim::sweep_html(spec, runs);
  // Point 5: pass; times 1 h and 3 h: median 2, range 1 – 3; the other times not reached by both.
  const std::string p5 = table_row(html, "5");
  CHECK(p5.find("<td class=\"l pass\">pass</td>") != std::string::npos);
  CHECK(p5.find("<td>2<br><span class=\"r\">1 – 3</span></td>") != std::string::npos);
  CHECK(p5.find("no result") == std::string::npos);
  // Point 10: one run passed, one had no result — the point is not a failure; its time is the one
  // run's 2 h.
  const std::string p10 = table_row(html, "10");
  CHECK(p10.find("<td class=\"l error\">1/2 pass, 1 error</td>") != std::string::npos);
  CHECK(p10.find("<td>2<br><span class=\"r\">1 no result</span></td>") != std::string::npos);
  CHECK(p10.find("<td class=\"l fail\"") == std::string::npos);
  // Point 20: no run has results: error, and every result cell says so — nothing "not reached".
  const std::string p20 = table_row(html, "20");
  CHECK(p20.find("<td class=\"l error\">error</td>") != std::string::npos);
  CHECK(p20.find("fail") == std::string::npos);
  CHECK(p20.find("not reached") == std::string::npos);
  size_t no_result_cells = 0;
  for (size_t at = p20.find("<td><span class=\"r\">no result</span></td>"); at != std::string::npos;
       at = p20.find("<td><span class=\"r\">no result</span></td>", at + 1))
    ++no_result_cells;
  CHECK(no_result_cells == 4 + 1);  // the four times and rollout.state
  // Point 40: an assertion failed in one seed, so the point failed whatever the other did.
  const std::string p40 = table_row(html, "40");
  CHECK(p40.find("<td class=\"l fail\">0/2 pass, 1 error</td>") != std::string::npos);
  CHECK(p40.find("<td>0.5<br><span class=\"r\">1 no result</span></td>") != std::string::npos);

  const auto data = nlohmann::json::parse(fleetsim::testing::all_between(html, "id=\"sweep-data\">", "</script>").at(0));
  REQUIRE(data["points"].size() == 4);
  CHECK(data["points"][0]["verdict"] == "pass");
  CHECK(data["points"][1]["verdict"] == "error");
  CHECK(data["points"][2]["verdict"] == "error");
  CHECK(data["points"][3]["verdict"] == "fail");
  CHECK(data["points"][1]["stats"]["time_to_90_h"] == nlohmann::json::array({2, 2, 2}));
  CHECK(data["points"][2]["stats"].empty());  // nothing to draw
}

TEST_CASE("sweep.html marks a point whose run had no result grey, not red, in headless Chromium",
          "[sweep][reports]") {
  const SweepSpec spec = error_point_spec();
  TempDir dir;
  const std::string html = dir / "sweep.html";
  std::ofstream(html) << fleetsim::sweep_html(spec, hand_made_runs(spec, kErrorPointRuns));
  const auto page = fleetsim::testing::load_page(html, dir);
  INFO(page.browser_log);
  REQUIRE(page.exit_code == 0);
  const auto status = fleetsim::testing::render_status(page.dom);
  REQUIRE(status.is_object());
  CHECK(status["errors"].empty());
  REQUIRE(status["charts"].size() == 1);  // time_to_90_h against rollout.max_concurrent
  const auto& chart = status["charts"][0];
  INFO(chart.dump());
  // Points 5, 10 and 40 have a time; 20 has none and no marker.
  CHECK(chart["points"].get<int>() == 3);
  CHECK(chart["markers"]["pass"].get<int>() == 1);   // 5
  CHECK(chart["markers"]["error"].get<int>() == 1);  // 10
  CHECK(chart["markers"]["fail"].get<int>() == 1);   // 40
}

TEST_CASE("sweep --help names the metrics a sweep without --metric shows", "[sweep][cli]") {
  const auto help = run_fleetsim("sweep --help");
  REQUIRE(help.exit_code == 0);
  // The help wraps lines: compare with every run of white space as one space.
  std::string text;
  for (char c : help.output) {
    const bool space = c == ' ' || c == '\n';
    if (!space || (!text.empty() && text.back() != ' ')) text += space ? ' ' : c;
  }
  INFO(text);
  // README "Parameter sweeps" lists the default metrics.
  CHECK(text.find("default: rollout.state, fleet.on_target_fraction, rollout.time_to_90, rollout.time_to_99, "
                  "devices.bricked, devices.rolled_back, platform.peak_egress_bps, "
                  "platform.peak_concurrent_transfers, platform.refused_connections, platform.throttled_requests, "
                  "bytes.delivered)") != std::string::npos);
  // And a sweep without --metric shows exactly those: the time columns, then the others
  // (bytes.delivered in bytes: _B).
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  REQUIRE(run_fleetsim("sweep " + shell_quote(scenario) + " --vary rollout.max_concurrent=10 --quiet --out " +
                       shell_quote(dir / "out"))
              .exit_code == 0);
  CHECK(read_csv(dir / "out/sweep.csv").at(0) ==
        std::vector<std::string>{"rollout.max_concurrent", "seed", "exit_code", "verdict", "time_to_50_h",
                                 "time_to_90_h", "time_to_95_h", "time_to_99_h", "rollout.state",
                                 "fleet.on_target_fraction", "devices.bricked", "devices.rolled_back",
                                 "platform.peak_egress_bps", "platform.peak_concurrent_transfers",
                                 "platform.refused_connections", "platform.throttled_requests", "bytes.delivered_B"});
}
