// Differential tests (README "Kernels: native and SimGrid"): randomly generated small scenarios run
// through `fleetsim run` on the native kernel and on the SimGrid kernel in its plain max-min
// configuration, and their devices.csv must agree row by row: the same outcome, versions, attempts
// and bytes for every device, and every time (notified, download start and end, installed,
// finished) within a relative 1e-6. The scenarios mix regions with saturated CDN links, per-device
// caps and latencies, flaky links that stall or drop, resume and restart, outages and degradations
// that interrupt transfers, corrupt downloads, waves and concurrency limits, and per-model images.
//
// Then the same scenario on SimGrid's CM02 (latency in the route) and LV08: not asserted equal,
// their differences from max-min are reported.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/cli_runner.hpp"
#include "tests/test_scenarios.hpp"

namespace {

using Doc = nlohmann::ordered_json;
using fleetsim::testing::run_fleetsim;
using fleetsim::testing::shell_quote;
using fleetsim::testing::slurp;
using fleetsim::testing::TempDir;

// A random small scenario: 1–3 regions, 1–2 device models, up to 300 devices.
Doc random_scenario(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  auto pick = [&](int n) { return int(std::uniform_int_distribution<int>(0, n - 1)(rng)); };
  auto chance = [&](double p) { return uniform(0, 1) < p; };
  auto secs = [](double s) {
    std::ostringstream o;
    o.precision(6);
    o << std::fixed << s << "s";
    return o.str();
  };
  auto bytes_per_s = [](double v) { return std::to_string(int64_t(v)) + "B/s"; };

  Doc doc;
  doc["name"] = "differential-" + std::to_string(seed);
  doc["seed"] = seed;
  doc["duration"] = "12h";
  const int regions = 1 + pick(3);
  for (int r = 0; r < regions; ++r) {
    const std::string name = "r" + std::to_string(r);
    Doc region{{"rtt", secs(uniform(0.02, 0.3))}};
    if (chance(0.4)) region["outages"] = Doc::array({Doc{{"at", secs(uniform(600, 14400))}, {"for", secs(uniform(120, 1800))}}});
    // Edge sites (the region's devices and link split in 2 or 3) in every third scenario's first
    // region, decided without drawing from `rng` so that the other scenarios stay as they were.
    if (r == 0 && seed % 3 == 0) region["sites"] = 2 + int(seed / 3 % 2);
    doc["regions"][name] = region;
    // A few kB/s to a few tens: tens of devices at their caps saturate it.
    doc["platform"]["cdn"]["regions"][name] = Doc{{"egress", bytes_per_s(uniform(5e3, 60e3))}};
  }
  if (chance(0.3)) doc["platform"]["cdn"]["max_connections"] = 20 + pick(60);

  const int models = 1 + pick(2);
  for (int m = 0; m < models; ++m) {
    const double median = uniform(1e3, 30e3);
    Doc model{{"link", {{"type", "lte-m"},
                        {"downlink", {{"dist", "lognormal"}, {"median", bytes_per_s(median)}, {"p95", bytes_per_s(median * 2.5)}}},
                        {"rtt", {{"dist", "lognormal"}, {"median", secs(uniform(0.05, 1.5))}, {"p95", secs(uniform(2, 5))}}},
                        {"resume", chance(0.5)}}},
              {"storage", {{"layout", "ab"}}},
              {"phases", {{"verify", secs(uniform(1, 10))}, {"install", secs(uniform(5, 60))},
                          {"reboot", secs(uniform(5, 60))}, {"health_check", secs(uniform(10, 120))}}},
              {"failures", {{"corruption", uniform(0, 0.03)}, {"install_failure", uniform(0, 0.02)}}},
              {"behaviour", {{"notification", chance(0.5) ? "push" : "poll"},
                             {"poll_interval", secs(uniform(600, 3600))},
                             {"poll_jitter", secs(uniform(0, 300))},
                             {"retry", {{"max_attempts", 3 + pick(4)}, {"backoff_base", "30s"}, {"backoff_cap", "10m"},
                                        {"jitter", 0.3}}}}}};
    if (chance(0.6))
      model["link"]["flakiness"] = Doc{{"mean_good", secs(uniform(600, 3600))},
                                       {"mean_bad", secs(uniform(30, 300))},
                                       {"bad_state", chance(0.5) ? "stall" : "drop"}};
    doc["device_models"]["m" + std::to_string(m)] = model;
  }

  int64_t left = 30 + pick(270);
  const int cohorts = 1 + pick(3);
  for (int c = 0; c < cohorts && left > 0; ++c) {
    const int64_t count = c == cohorts - 1 ? left : 1 + pick(int(left));
    left -= count;
    doc["fleet"]["cohorts"].push_back(Doc{{"name", "c" + std::to_string(c)},
                                          {"model", "m" + std::to_string(pick(models))},
                                          {"count", count},
                                          {"region", "r" + std::to_string(pick(regions))},
                                          {"firmware", {{"1.0", 1}}}});
  }
  doc["firmware"] = Doc{{"target", "2.0"}, {"size", std::to_string(100000 + pick(900000)) + "B"}};
  // Model m0's own image (README "Images per device model") in every fifth scenario, with a delta
  // from 1.0 (which every device starts on) in every tenth. Sized from the seed without drawing
  // from `rng`, so that the other scenarios stay as they were.
  if (seed % 5 == 0) {
    Doc& image = doc["firmware"]["images"]["m0"];
    image = Doc{{"size", std::to_string(200000 + seed * 1000) + "B"}, {"boot_failure", "5%"}};
    if (seed % 10 == 0) image["delta"] = Doc{{"1.0", std::to_string(50000 + seed * 500) + "B"}};
  }
  if (chance(0.5)) {
    doc["rollout"] = Doc{{"strategy", "waves"},
                         {"waves", Doc::array({Doc{{"devices", 10}, {"soak", "30m"}}, Doc{{"percent", "100%"}}})},
                         {"order", "random"}};
  } else {
    doc["rollout"] = Doc{{"strategy", "all-at-once"}};
  }
  if (chance(0.4)) doc["rollout"]["max_concurrent"] = 5 + pick(40);
  if (chance(0.3))
    doc["faults"] = Doc::array({Doc{{"kind", "cdn_degradation"}, {"region", "r0"}, {"at", secs(uniform(300, 7200))},
                                    {"for", secs(uniform(300, 3600))}, {"factor", uniform(0.1, 0.9)}}});
  return doc;
}

struct Trace {
  int exit_code = -1;
  std::vector<std::string> header;             // devices.csv's column names
  std::vector<std::vector<std::string>> rows;  // devices.csv without its header
};

Trace run_kernel(const TempDir& dir, const std::string& scenario, const std::string& kernel, const std::string& out,
                 const std::string& extra = "") {
  auto cli = run_fleetsim("run " + shell_quote(scenario) + " --kernel " + kernel + " --trace-devices --quiet --out " +
                          shell_quote(dir / out) + " " + extra);
  Trace t;
  t.exit_code = cli.exit_code;
  INFO(cli.output);
  REQUIRE((cli.exit_code == 0 || cli.exit_code == 1));
  std::istringstream csv(slurp(dir / out + "/devices.csv"));
  std::string line;
  std::getline(csv, line);
  std::stringstream names(line);
  for (std::string name; std::getline(names, name, ',');) t.header.push_back(name);
  while (std::getline(csv, line)) {
    std::vector<std::string> cells;
    std::stringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, ',')) cells.push_back(cell);
    t.rows.push_back(cells);
  }
  return t;
}

// devices.csv's times are the columns named *_s (reports/devices_writer.cpp): released, notified,
// the wait between them, download start and end, installed, finished.
bool is_time_column(const std::string& name) { return name.size() > 2 && name.compare(name.size() - 2, 2, "_s") == 0; }

bool times_agree(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return a == b;  // a phase the device never reached
  const double x = std::stod(a), y = std::stod(b);
  // Relative 1e-6, with the 1 µs the file is written to as the floor.
  return std::abs(x - y) <= std::max(1e-6 * std::max(std::abs(x), std::abs(y)), 2e-6);
}

void check_seeds(uint64_t first, uint64_t count) {
  for (uint64_t seed = first; seed < first + count; ++seed) {
    TempDir dir;
    const std::string scenario = dir / "scenario.json";
    {
      std::ofstream(scenario) << random_scenario(seed).dump(2);
    }
    const Trace native = run_kernel(dir, scenario, "native", "native");
    const Trace simgrid = run_kernel(dir, scenario, "simgrid", "simgrid");
    INFO("seed " << seed << ", scenario:\n" << random_scenario(seed).dump(2));
    REQUIRE(native.exit_code == simgrid.exit_code);
    REQUIRE(native.rows.size() == simgrid.rows.size());
    REQUIRE_FALSE(native.rows.empty());
    for (size_t i = 0; i < native.rows.size(); ++i) {
      const auto& a = native.rows[i];
      const auto& b = simgrid.rows[i];
      INFO("device " << i);
      REQUIRE(a.size() == b.size());
      for (size_t c = 0; c < a.size(); ++c) {
        INFO("column " << c << ": native " << a[c] << ", simgrid " << b[c]);
        if (is_time_column(native.header.at(c)))
          REQUIRE(times_agree(a[c], b[c]));
        else
          REQUIRE(a[c] == b[c]);
      }
    }
  }
}

}  // namespace

// 60 seeds in six groups, so that CTest can run the groups in parallel.
TEST_CASE("native and SimGrid max-min agree device by device on random scenarios, seeds 1-10", "[equivalence]") {
  check_seeds(1, 10);
}
TEST_CASE("native and SimGrid max-min agree device by device on random scenarios, seeds 11-20", "[equivalence]") {
  check_seeds(11, 10);
}
TEST_CASE("native and SimGrid max-min agree device by device on random scenarios, seeds 21-30", "[equivalence]") {
  check_seeds(21, 10);
}
TEST_CASE("native and SimGrid max-min agree device by device on random scenarios, seeds 31-40", "[equivalence]") {
  check_seeds(31, 10);
}
TEST_CASE("native and SimGrid max-min agree device by device on random scenarios, seeds 41-50", "[equivalence]") {
  check_seeds(41, 10);
}
TEST_CASE("native and SimGrid max-min agree device by device on random scenarios, seeds 51-60", "[equivalence]") {
  check_seeds(51, 10);
}

namespace {

// The "download duration B/A - 1 … median X" figure of a `fleetsim compare` report.
double median_duration_change(const std::string& report) {
  const auto at = report.find("median ");
  REQUIRE(at != std::string::npos);
  return std::stod(report.substr(at + 7));
}

}  // namespace

TEST_CASE("fleetsim compare finds two kernels' runs of one scenario in agreement", "[equivalence][cli]") {
  TempDir dir;
  const std::string scenario = dir / "scenario.json";
  std::ofstream(scenario) << random_scenario(7).dump(2);
  run_kernel(dir, scenario, "native", "native");
  run_kernel(dir, scenario, "simgrid", "simgrid");
  const auto cli = run_fleetsim("compare " + shell_quote(dir / "native") + " " + shell_quote(dir / "simgrid"));
  INFO(cli.output);
  CHECK(cli.exit_code == 0);
  CHECK(cli.output.find("(kernel native)") != std::string::npos);
  CHECK(cli.output.find("(kernel simgrid, max-min)") != std::string::npos);
  CHECK(cli.output.find("different outcome 0, final version 0, attempts 0, bytes 0") != std::string::npos);
  CHECK(cli.output.find("\nagree: ") != std::string::npos);
}

TEST_CASE("SimGrid's CM02 and LV08 models run the same scenario and their differences are reported",
          "[equivalence][cli]") {
  // Not asserted equal (only max-min must match the native kernel): on a scenario with competing
  // flows the reports are printed.
  TempDir dir;
  const std::string scenario = dir / "scenario.json";
  std::ofstream(scenario) << random_scenario(7).dump(2);
  run_kernel(dir, scenario, "simgrid", "max-min");
  run_kernel(dir, scenario, "simgrid", "cm02", "--set kernel.simgrid.network_model=CM02");
  run_kernel(dir, scenario, "simgrid", "lv08", "--set kernel.simgrid.network_model=LV08");
  for (const std::string model : {"cm02", "lv08"}) {
    const auto cli = run_fleetsim("compare " + shell_quote(dir / "max-min") + " " + shell_quote(dir / model));
    WARN(model << " against max-min:\n" << cli.output);
    CHECK((cli.exit_code == 0 || cli.exit_code == 1));
    CHECK(cli.output.find("devices; different outcome") != std::string::npos);
  }
}

TEST_CASE("without competing flows CM02 equals max-min and LV08 makes every download slower", "[equivalence][cli]") {
  // CM02 weights competing flows by their latency and otherwise pays the latency and then the cap,
  // like max-min. LV08 multiplies every latency by 13.01 and divides the rate by 1.05 / 0.97, so
  // every download takes longer: the median change of a download's duration is positive.
  TempDir dir;
  const std::string scenario = dir / "scenario.json";
  Doc doc = random_scenario(7);
  for (auto& [name, region] : doc["platform"]["cdn"]["regions"].items()) region["egress"] = "10GB/s";
  std::ofstream(scenario) << doc.dump(2);
  run_kernel(dir, scenario, "simgrid", "max-min");
  run_kernel(dir, scenario, "simgrid", "cm02", "--set kernel.simgrid.network_model=CM02");
  run_kernel(dir, scenario, "simgrid", "lv08", "--set kernel.simgrid.network_model=LV08");
  const auto cm02 = run_fleetsim("compare " + shell_quote(dir / "max-min") + " " + shell_quote(dir / "cm02"));
  INFO(cm02.output);
  CHECK(cm02.output.find("(kernel simgrid, CM02)") != std::string::npos);
  CHECK(cm02.exit_code == 0);
  const auto lv08 = run_fleetsim("compare " + shell_quote(dir / "max-min") + " " + shell_quote(dir / "lv08"));
  INFO(lv08.output);
  CHECK(lv08.output.find("(kernel simgrid, LV08)") != std::string::npos);
  CHECK(lv08.exit_code == 1);
  CHECK(median_duration_change(lv08.output) > 0);
}

TEST_CASE("fleetsim compare refuses runs without devices.csv and says what differs between two scenarios",
          "[equivalence][cli]") {
  TempDir dir;
  const std::string first = dir / "first.json", second = dir / "second.json";
  std::ofstream(first) << random_scenario(3).dump(2);
  std::ofstream(second) << random_scenario(4).dump(2);
  run_kernel(dir, first, "native", "a");
  run_kernel(dir, second, "native", "b");
  // A run without --trace-devices (its results complete), and a folder that does not exist.
  REQUIRE(run_fleetsim("run " + shell_quote(first) + " --quiet --out " + shell_quote(dir / "untraced")).exit_code <= 1);
  const auto untraced = run_fleetsim("compare " + shell_quote(dir / "a") + " " + shell_quote(dir / "untraced"));
  CHECK(untraced.exit_code == 2);
  CHECK(untraced.output.find(dir / "untraced/devices.csv") != std::string::npos);
  CHECK(untraced.output.find("--trace-devices") != std::string::npos);
  const auto missing = run_fleetsim("compare " + shell_quote(dir / "a") + " " + shell_quote(dir / "nowhere"));
  CHECK(missing.exit_code == 2);
  CHECK(missing.output.find(dir / "nowhere: not a folder") != std::string::npos);
  // Two scenarios: not compared device by device (no verdict of agreement), their differences
  // listed; random_scenario(N) is named "differential-N" and has seed N.
  const auto other = run_fleetsim("compare " + shell_quote(dir / "a") + " " + shell_quote(dir / "b"));
  INFO(other.output);
  CHECK(other.exit_code == 1);
  CHECK(other.output.find("\n  /name: \"differential-3\" vs \"differential-4\"\n") != std::string::npos);
  CHECK(other.output.find("\n  /seed: 3 vs 4\n") != std::string::npos);
  CHECK(other.output.find("devices; different outcome") == std::string::npos);
  CHECK(other.output.find("\ndiffer: the scenarios differ") != std::string::npos);
}

TEST_CASE("the SimGrid kernel is deterministic: two runs write byte-identical results", "[equivalence][cli]") {
  TempDir dir;
  const std::string scenario = dir / "scenario.json";
  std::ofstream(scenario) << random_scenario(21).dump(2);
  run_kernel(dir, scenario, "simgrid", "first");
  run_kernel(dir, scenario, "simgrid", "second");
  for (const std::string file : {"summary.json", "timeseries.csv", "devices.csv"}) {
    INFO(file);
    const std::string first = slurp(dir / ("first/" + file));
    CHECK_FALSE(first.empty());
    CHECK(first == slurp(dir / ("second/" + file)));
  }
}

TEST_CASE("a SimGrid run that ends with downloads in flight ends cleanly", "[equivalence][cli]") {
  // The minimal scenario (test_scenarios.hpp) with a 10 MB image at 1000 B/s: each download
  // takes 10000 s, so after 1 h all three are still downloading.
  TempDir dir;
  const std::string scenario = dir / "scenario.json";
  Doc doc = fleetsim::testing::minimal_scenario(3);
  doc["firmware"]["size"] = "10MB";
  std::ofstream(scenario) << doc.dump(2);
  for (const std::string model : {"max-min", "CM02", "LV08"}) {
    const auto cli = run_fleetsim("run " + shell_quote(scenario) + " --kernel simgrid --quiet --set kernel.simgrid.network_model=" +
                                  model + " --out " + shell_quote(dir / model));
    INFO(model << ": " << cli.output);
    CHECK((cli.exit_code == 0 || cli.exit_code == 1));
    CHECK(cli.output.empty());  // --quiet: no SimGrid complaint about running communications either
  }
  // (Counted on max-min only: with equal latencies the three latency phases end at the same
  // instant, and SimGrid 3.32's CM02 then drops the rate bound of all but one of those flows —
  // see README, Kernels.)
  const auto summary = nlohmann::json::parse(slurp(dir / "max-min/summary.json"));
  CHECK(summary["devices"]["by_state"]["downloading"].get<int64_t>() == 3);
}
