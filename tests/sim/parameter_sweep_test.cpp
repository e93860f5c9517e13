// Specification of `fleetsim sweep` (sim/scenario/sweep_plan.hpp): the cross product of the varied
// fields, several seeds per point, one sweep.csv row per run with results equal to what the run
// itself reports, resume by skipping complete runs, and every point validated before anything
// runs.
#include <catch2/catch.hpp>

#include <algorithm>
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
std::string write_scenario(const TempDir& dir) {
  Doc doc = fleetsim::testing::minimal_scenario(10);
  doc["device_models"]["m"]["link"]["downlink"] = "1MB/s";
  const std::string path = dir / "sweep.json";
  std::ofstream(path) << doc.dump(2);
  return path;
}

}  // namespace

TEST_CASE("a sweep runs the cross product with every seed and reports each run's results", "[sweep][cli]") {
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  const auto cli = run_fleetsim("sweep " + shell_quote(scenario) +
                                " --vary platform.cdn.regions.r.egress=1000B/s,2000B/s,4000B/s"
                                " --vary rollout.max_concurrent=5,10 --seeds 2 --jobs 2 --out " +
                                shell_quote(dir / "out"));
  INFO(cli.output);
  REQUIRE(cli.exit_code == 0);
  const auto rows = read_csv(dir / "out/sweep.csv");
  REQUIRE(rows.size() == 1 + 3 * 2 * 2);  // header + 3 egress × 2 limits × 2 seeds, in plan order
  const auto& h = rows[0];
  const size_t egress = column(h, "platform.cdn.regions.r.egress"), limit = column(h, "rollout.max_concurrent"),
               seed = column(h, "seed"), t90 = column(h, "time_to_90_s"), state = column(h, "rollout_state");
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
  // reboot and health check: 90 % are on target at 4 + 100000/C + 36 → 140, 90, 65 s.
  const double expected[] = {140, 90, 65};
  for (int e = 0; e < 3; ++e)
    for (int s = 0; s < 2; ++s) {
      const auto& row = rows[size_t(1 + e * 4 + 2 + s)];
      INFO("row " << 1 + e * 4 + 2 + s);
      CHECK(row[limit] == "10");
      CHECK(row[state] == "completed");
      CHECK(std::stod(row[t90]) == Approx(expected[e]).margin(1e-6));
    }
  const std::string html = slurp(dir / "out/sweep.html");
  CHECK(html.find("<table id=\"sweep\">") != std::string::npos);
  CHECK(html.find("4000B/s") != std::string::npos);
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
  CHECK(std::stod(rows[1][column(rows[0], "time_to_99_s")]) ==
        Approx(summary["rollout"]["time_to_s"]["p99"].get<double>()).epsilon(1e-12));
  CHECK(std::stod(rows[1][column(rows[0], "bytes_delivered")]) ==
        Approx(summary["bytes"]["delivered"].get<double>()).epsilon(1e-12));
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

TEST_CASE("sweep.html draws every numeric result against every varied parameter in headless Chromium",
          "[sweep][cli][reports]") {
  // 2 egress values × 2 limits, 2 seeds: per parameter one chart per numeric result, each with a
  // point for every value of the parameter on every line (2 lines × 2 values = 4 points).
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
    CHECK(chart["coloured_pixels"].get<int>() > 100);
  }
  for (const std::string axis : {"platform.cdn.regions.r.egress", "rollout.max_concurrent"})
    for (const std::string result : {"on_target_fraction", "time_to_90_s", "peak_egress_bps", "bytes_delivered"})
      CHECK(ids.count(result + "@" + axis) == 1);
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
    for (size_t i = 1; i < rows.size(); ++i) v.push_back(std::stod(rows[i][column(rows[0], "bytes_delivered")]));
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
  std::vector<SweepRun> runs;
  const std::vector<std::string> fractions = {"0.9991", "0.9993", "0.9995", "0.9997"};
  for (size_t i = 0; i < fractions.size(); ++i) {
    SweepRun run;
    run.values = {spec.axes[0].values[i]};
    run.exit_code = 0;
    run.results = {{"on_target_fraction", fractions[i]}, {"peak_egress_bps", std::to_string(12345678901LL + 1000000LL * i)}};
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
