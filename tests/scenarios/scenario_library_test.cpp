// The shipped scenario library, run through the fleetsim CLI: quickstart and each QA scenario
// (scenarios/qa/) must pass its own assertions (exit 0) and show the fact it exists to show in
// summary.json / timeseries.csv / devices.csv; runs are deterministic for a seed; every shipped
// scenario validates; and the CLI's bad-input / infrastructure exit codes hold.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cli_runner.hpp"

namespace fs = std::filesystem;

using namespace fleetsim::testing;

namespace {

const std::string kSource = FLEETSIM_SOURCE_DIR;
const std::string kScenarios = kSource + "/scenarios";


nlohmann::json summary_of(const std::string& out_dir) {
  std::ifstream in(out_dir + "/summary.json");
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream s(line);
  while (std::getline(s, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.push_back("");
  return cells;
}

// A CSV file: the header and the rows (no quoting in fleetsim's CSVs).
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  size_t column(const std::string& name) const {
    auto it = std::find(header.begin(), header.end(), name);
    REQUIRE(it != header.end());
    return size_t(it - header.begin());
  }
};

Csv read_csv(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  Csv csv;
  if (!std::getline(in, line)) return csv;
  csv.header = split(line);
  while (std::getline(in, line)) {
    csv.rows.push_back(split(line));
    csv.rows.back().resize(csv.header.size());
  }
  return csv;
}

// Runs a scenario of the library into `out`; the scenario's own assertions must pass.
nlohmann::json run_scenario(const std::string& file, const std::string& out, const std::string& extra = "") {
  const Cli r = run_fleetsim("run " + shell_quote(kScenarios + "/" + file) + " --out " + shell_quote(out) + " --quiet " + extra);
  INFO(file << ": " << r.output);
  REQUIRE(r.exit_code == 0);
  return summary_of(out);
}

}  // namespace

TEST_CASE("quickstart completes and passes its assertions", "[scenarios]") {
  TempDir tmp;
  const auto s = run_scenario("quickstart.json", tmp / "out");
  CHECK(s["rollout"]["state"] == "completed");
  CHECK(s["assertions"]["passed"] == true);
  CHECK(s["devices"]["on_target_fraction"].get<double>() >= 0.97);
  CHECK(s["devices"]["by_state"]["bricked"] == 0);
}

TEST_CASE("runs are deterministic for a seed and change with the seed", "[scenarios]") {
  TempDir tmp;
  run_scenario("quickstart.json", tmp / "a", "--trace-devices");
  run_scenario("quickstart.json", tmp / "b", "--trace-devices");
  for (const char* name : {"summary.json", "timeseries.csv", "devices.csv"}) {
    INFO(name);
    const std::string a = slurp(tmp / ("a/" + std::string(name)));
    REQUIRE_FALSE(a.empty());
    CHECK(a == slurp(tmp / ("b/" + std::string(name))));
  }
  // devices.csv has one row per device.
  CHECK(read_csv(tmp / "a/devices.csv").rows.size() == 100000);

  run_scenario("quickstart.json", tmp / "c", "--seed 43");
  CHECK(summary_of(tmp / "c")["scenario"]["seed"] == 43);
  CHECK(slurp(tmp / "c/summary.json") != slurp(tmp / "a/summary.json"));
}

TEST_CASE("qa/bad-build-canary: the canary gate pauses the rollout", "[scenarios]") {
  TempDir tmp;
  const auto s = run_scenario("qa/bad-build-canary.json", tmp / "out");
  CHECK(s["rollout"]["state"] == "paused");

  // The pause decision comes from wave 0's (the canary's) error condition.
  const auto& decisions = s["rollout"]["decisions"];
  auto pause = std::find_if(decisions.begin(), decisions.end(), [](const auto& d) { return d["action"] == "pause"; });
  REQUIRE(pause != decisions.end());
  CHECK((*pause)["wave"] == 0);
  const std::string reason = (*pause)["reason"];
  CHECK(reason.find("wave 0") != std::string::npos);
  CHECK(reason.find("error condition") != std::string::npos);
  CHECK(decisions.back()["action"] == "pause");

  const auto& waves = s["rollout"]["waves"];
  CHECK(waves[0]["result"] == "failed");
  for (size_t w = 1; w < waves.size(); ++w) CHECK(waves[w]["result"] == "not_started");

  // Only the canary was touched: the failures are A/B rollbacks, no bricks, fleet on the old version.
  const auto& by_state = s["devices"]["by_state"];
  const int64_t canary = waves[0]["size"];
  CHECK(by_state["rolled_back"].get<int64_t>() > 0);
  CHECK(by_state["bricked"] == 0);
  CHECK(by_state["rolled_back"].get<int64_t>() + by_state["bricked"].get<int64_t>() <= canary);
  CHECK(s["devices"]["on_target_fraction"].get<double>() < 0.01);
}

TEST_CASE("qa/corrupt-cdn-cache: corrupt downloads are re-fetched and nothing bricks", "[scenarios]") {
  TempDir tmp;
  const auto s = run_scenario("qa/corrupt-cdn-cache.json", tmp / "out");
  CHECK(s["devices"]["corrupt_downloads"].get<int64_t>() > 0);
  CHECK(s["bytes"]["retransmitted"].get<double>() > 0);
  CHECK(s["rollout"]["state"] == "completed");
  CHECK(s["devices"]["by_state"]["bricked"] == 0);
  CHECK(s["devices"]["on_target_fraction"].get<double>() >= 0.98);
}

TEST_CASE("qa/outage-checkin-storm: the post-outage storm is throttled and the rollout recovers", "[scenarios]") {
  TempDir tmp;
  const auto s = run_scenario("qa/outage-checkin-storm.json", tmp / "out");
  CHECK(s["platform"]["throttled_requests"].get<int64_t>() > 0);
  CHECK(s["rollout"]["state"] == "completed");
  CHECK(s["devices"]["on_target_fraction"].get<double>() >= 0.99);

  // Throttling is the storm's doing: none before the outage (us-east down 9h..9h45m), some in
  // the minutes after the region returns.
  const double outage_start = 9 * 3600, outage_end = outage_start + 45 * 60;
  int64_t before = 0, after = 0;
  const Csv ts = read_csv(tmp / "out/timeseries.csv");
  const size_t t_col = ts.column("t_s"), throttled_col = ts.column("throttled");
  REQUIRE(ts.rows.size() > 0);
  for (const auto& row : ts.rows) {
    const double t = std::stod(row[t_col]);
    const int64_t throttled = std::stoll(row[throttled_col]);
    if (t <= outage_start) before += throttled;
    if (t > outage_end && t <= outage_end + 600) after += throttled;
  }
  CHECK(before == 0);
  CHECK(after > 0);
}

TEST_CASE("qa/single-bank-power-loss: single-bank devices brick, A/B devices roll back", "[scenarios]") {
  TempDir tmp;
  const auto s = run_scenario("qa/single-bank-power-loss.json", tmp / "out", "--trace-devices");
  CHECK(s["devices"]["by_state"]["bricked"].get<int64_t>() > 0);
  CHECK(s["rollout"]["state"] == "completed");

  // Per cohort from devices.csv: the blackout (eu-west, t = 60 h) bricks single-bank meters that
  // were flashing and rolls back A/B meters that were swapping; no A/B device bricks at all.
  const std::string blackout = "216000.000000";
  int64_t ab_bricked = 0, ab_rolled_back_at_blackout = 0, single_bricked_at_blackout = 0, other_region_hit = 0;
  const Csv devices = read_csv(tmp / "out/devices.csv");
  REQUIRE(devices.rows.size() == 40000);
  const size_t model_col = devices.column("model"), outcome_col = devices.column("outcome"),
               finished_col = devices.column("finished_s"), region_col = devices.column("region");
  for (const auto& row : devices.rows) {
    const bool ab = row[model_col] == "nbiot-meter-ab";
    const std::string& outcome = row[outcome_col];
    const bool at_blackout = row[finished_col] == blackout;
    if (ab && outcome == "bricked") ++ab_bricked;
    if (ab && outcome == "rolled_back" && at_blackout) ++ab_rolled_back_at_blackout;
    if (!ab && outcome == "bricked" && at_blackout) ++single_bricked_at_blackout;
    if (row[region_col] != "eu-west" && at_blackout && outcome != "updated") ++other_region_hit;
  }
  CHECK(ab_bricked == 0);
  CHECK(ab_rolled_back_at_blackout > 0);
  CHECK(single_bricked_at_blackout > 0);
  CHECK(other_region_hit == 0);
}

TEST_CASE("qa/mixed-fleet-images: each model's bytes in summary.json are its devices times its delta or image",
          "[scenarios]") {
  TempDir tmp;
  const auto s = run_scenario("qa/mixed-fleet-images.json", tmp / "out");
  // smart-meter image 1.8 MiB = ceil(1.8 × 1048576) = 1887437 B, delta from 2.3.0 300 KiB = 307200 B;
  // site-gateway image 64 MiB = 67108864 B, delta from 2.3.0 8 MiB = 8388608 B. Links neither drop
  // nor corrupt, so each device that needs the update downloads once; the 100 meters on 2.4.0 none.
  //   smart-meter:  1500 × 307200 + 500 × 1887437  = 460800000 + 943718500   = 1404518500 B
  //   site-gateway:  200 × 8388608 + 50 × 67108864 = 1677721600 + 3355443200 = 5033164800 B
  const auto& models = s["models"];
  CHECK(models["smart-meter"]["devices"] == 1500 + 500 + 100);
  CHECK(models["smart-meter"]["image_bytes"] == 1887437);
  CHECK(models["smart-meter"]["bytes_delivered"].get<double>() == 1404518500.0);
  CHECK(models["site-gateway"]["devices"] == 200 + 50);
  CHECK(models["site-gateway"]["image_bytes"] == 67108864);
  CHECK(models["site-gateway"]["bytes_delivered"].get<double>() == 5033164800.0);
  CHECK(s["bytes"]["delivered"].get<double>() == 1404518500.0 + 5033164800.0);
  CHECK(s["bytes"]["retransmitted"].get<double>() == 0.0);
  CHECK(s["devices"]["by_state"]["idle"] == 100);  // the meters already on 2.4.0
  CHECK(s["warnings"].empty());
}

TEST_CASE("qa/mixed-fleet-images: summary.md has a row per device model", "[scenarios]") {
  TempDir tmp;
  run_scenario("qa/mixed-fleet-images.json", tmp / "out");
  const std::string md = slurp(tmp / "out/summary.md");
  // The byte counts above in binary units: 1887437 B = 1.80 MiB, 1404518500 B = 1.308 GiB;
  // 67108864 B = 64 MiB, 5033164800 B = 4.6875 GiB.
  CHECK_THAT(md, Catch::Contains("| Model | Devices | Full image | Bytes delivered |"));
  CHECK_THAT(md, Catch::Contains("| smart-meter | 2100 | 1.80 MiB | 1.31 GiB |"));
  CHECK_THAT(md, Catch::Contains("| site-gateway | 250 | 64.00 MiB | 4.69 GiB |"));
}

TEST_CASE("fleetsim validate accepts every shipped scenario", "[scenarios]") {
  std::vector<std::string> files;
  for (const std::string& dir : std::vector<std::string>{kScenarios, kScenarios + "/qa", kScenarios + "/bench"})
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && entry.path().extension() == ".json" &&
          name.find(".schema.json") == std::string::npos)
        files.push_back(entry.path().string());
    }
  std::sort(files.begin(), files.end());
  // quickstart + the five QA scenarios + the two benchmarks at least.
  CHECK(files.size() >= 7);
  for (const std::string& f : files) {
    const Cli r = run_fleetsim("validate " + shell_quote(f));
    INFO(f << ": " << r.output);
    CHECK(r.exit_code == 0);
  }
}

TEST_CASE("fleetsim run: bad input exits 2, an unwritable --out exits 3 without partial files", "[scenarios]") {
  TempDir tmp;
  const std::string quickstart = shell_quote(kScenarios + "/quickstart.json");

  SECTION("a --set that breaks the scenario names its JSON pointer") {
    const Cli r = run_fleetsim("run " + quickstart + " --out " + shell_quote(tmp / "out") +
                           " --quiet --set 'fleet.cohorts[0].count=0'");
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("/fleet/cohorts/0/count") != std::string::npos);
    CHECK_FALSE(fs::exists(tmp / "out/summary.json"));

    const Cli v = run_fleetsim("validate " + quickstart + " --set 'fleet.cohorts[0].count=0'");
    INFO(v.output);
    CHECK(v.exit_code == 2);
    CHECK(v.output.find("/fleet/cohorts/0/count") != std::string::npos);
  }

  SECTION("a missing scenario file") {
    const Cli r = run_fleetsim("run " + shell_quote(tmp / "no-such-scenario.json") + " --out " + shell_quote(tmp / "out") + " --quiet");
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK_FALSE(fs::exists(tmp / "out/summary.json"));
  }

  SECTION("--out under a regular file") {
    const std::string blocker = tmp / "not-a-directory";
    { std::ofstream(blocker) << "keep"; }
    const Cli r = run_fleetsim("run " + quickstart + " --out " + shell_quote(blocker + "/results") + " --quiet");
    INFO(r.output);
    CHECK(r.exit_code == 3);
    CHECK(fs::is_regular_file(blocker));
    CHECK(slurp(blocker) == "keep");
    // Nothing was written anywhere in the temp dir besides the blocking file.
    std::vector<std::string> left;
    for (const auto& entry : fs::recursive_directory_iterator(tmp.path)) left.push_back(entry.path().string());
    CHECK(left == std::vector<std::string>{blocker});
  }
}
