// Specification of `mpirun -np N fleetsim sweep` (sim/cli/sweep_command.hpp): the runs are shared out
// over the ranks (run i of the plan on rank i mod N), rank 0 writes the very sweep.csv and
// sweep.html a sweep in one process writes, errors are agreed by every rank and reported once, and
// a crashed run on any rank ends the job with exit 3. Skipped in a build without MPI.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli_runner.hpp"
#include "tests/mpi_launcher.hpp"
#include "tests/test_scenarios.hpp"

namespace {

using fleetsim::testing::run_fleetsim;
using fleetsim::testing::run_fleetsim_mpi;
using fleetsim::testing::shell_quote;
using fleetsim::testing::slurp;
using fleetsim::testing::TempDir;

// Ten devices of the minimal model (test_scenarios.hpp) with 1 MB/s links behind one CDN link, as
// in parameter_sweep_test.cpp; its seed is 1.
std::string write_scenario(const TempDir& dir) {
  fleetsim::testing::Doc doc = fleetsim::testing::minimal_scenario(10);
  doc["device_models"]["m"]["link"]["downlink"] = "1MB/s";
  const std::string path = dir / "sweep.json";
  std::ofstream(path) << doc.dump(2);
  return path;
}

// 3 egress values × 2 limits.
const std::string kVary =
    " --vary platform.cdn.regions.r.egress=1000B/s,2000B/s,4000B/s --vary rollout.max_concurrent=5,10";

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("a sweep across 2 MPI ranks writes the same sweep.csv and sweep.html as a sweep in one process",
          "[sweep][mpi][cli]") {
  FLEETSIM_SKIP_WITHOUT_MPI();
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  const std::string spec = "sweep " + shell_quote(scenario) + kVary + " --seeds 2 --jobs 1 --out ";
  const auto single = run_fleetsim(spec + shell_quote(dir / "single"));
  INFO(single.output);
  REQUIRE(single.exit_code == 0);
  const auto ranks = run_fleetsim_mpi(2, spec + shell_quote(dir / "ranks"));
  INFO(ranks.output);
  REQUIRE(ranks.exit_code == 0);
  const std::string csv = slurp(dir / "single/sweep.csv");
  CHECK(count_of(csv, "\n") == 1 + 3 * 2 * 2);  // header + one row per run
  CHECK(slurp(dir / "ranks/sweep.csv") == csv);
  CHECK(slurp(dir / "ranks/sweep.html") == slurp(dir / "single/sweep.html"));
}

TEST_CASE("a sweep across 2 MPI ranks runs run i of the plan on rank i mod 2 and records it in point.json",
          "[sweep][mpi][cli]") {
  FLEETSIM_SKIP_WITHOUT_MPI();
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  const auto cli = run_fleetsim_mpi(2, "sweep " + shell_quote(scenario) + kVary + " --quiet --out " +
                                           shell_quote(dir / "out"));
  INFO(cli.output);
  REQUIRE(cli.exit_code == 0);
  char host[256] = {0};
  REQUIRE(gethostname(host, sizeof host - 1) == 0);
  // Runs are named run-E-L-seedS (E, L: value indices) and planned with the last axis fastest, so
  // with one seed run-E-L is run i = 2E + L of the plan: even i on rank 0, odd i on rank 1.
  std::map<int, int> runs_of_rank;
  int runs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "out/runs")) {
    const std::string leaf = entry.path().filename().string();
    int e = -1, l = -1, seed = -1;
    REQUIRE(std::sscanf(leaf.c_str(), "run-%d-%d-seed%d", &e, &l, &seed) == 3);
    REQUIRE(seed == 1);
    const int i = 2 * e + l;
    const auto point = nlohmann::json::parse(slurp((entry.path() / "point.json").string()));
    INFO(leaf << ": " << point.dump());
    CHECK(point["rank"].get<int>() == i % 2);
    CHECK(point["host"].get<std::string>() == host);
    ++runs_of_rank[point["rank"].get<int>()];
    ++runs;
  }
  CHECK(runs == 6);
  CHECK(runs_of_rank[0] == 3);
  CHECK(runs_of_rank[1] == 3);
}

TEST_CASE("a sweep across 2 MPI ranks with an invalid point runs nothing, exits 2 and prints the error once",
          "[sweep][mpi][cli]") {
  FLEETSIM_SKIP_WITHOUT_MPI();
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  const auto cli = run_fleetsim_mpi(2, "sweep " + shell_quote(scenario) + " --vary rollout.max_concurrent=4,lots --out " +
                                           shell_quote(dir / "out"));
  INFO(cli.output);
  CHECK(cli.exit_code == 2);
  CHECK(count_of(cli.output, "the sweep point rollout.max_concurrent=lots is not a valid scenario") == 1);
  CHECK(cli.output.find("/rollout/max_concurrent") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "out/runs"));
}

TEST_CASE("a run that fails on rank 1 ends a sweep across 2 MPI ranks with exit 3 and no sweep.csv",
          "[sweep][mpi][cli]") {
  FLEETSIM_SKIP_WITHOUT_MPI();
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  // Run 1 of the plan (run-1-seed1, on rank 1) cannot write its results: a non-empty directory
  // stands where its summary.json goes, so that `fleetsim run` exits 3.
  std::filesystem::create_directories(dir / "out/runs/run-1-seed1/summary.json/in-the-way");
  const auto cli = run_fleetsim_mpi(2, "sweep " + shell_quote(scenario) + " --vary rollout.max_concurrent=2,4 --out " +
                                           shell_quote(dir / "out"));
  INFO(cli.output);
  CHECK(cli.exit_code == 3);
  CHECK(cli.output.find("[rank 1] fleetsim: the run in " + (dir / "out/runs/run-1-seed1") + " ended with exit code 3") !=
        std::string::npos);
  CHECK(std::filesystem::exists(dir / "out/runs/run-0-seed1/point.json"));  // rank 0's run finished
  CHECK_FALSE(std::filesystem::exists(dir / "out/sweep.csv"));
  CHECK_FALSE(std::filesystem::exists(dir / "out/sweep.html"));
}

TEST_CASE("a sweep across 2 MPI ranks run again skips the runs whose results are complete", "[sweep][mpi][cli]") {
  FLEETSIM_SKIP_WITHOUT_MPI();
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  const std::string args = "sweep " + shell_quote(scenario) + " --vary rollout.max_concurrent=2,4 --seeds 2 --out " +
                           shell_quote(dir / "out");
  const auto first = run_fleetsim_mpi(2, args);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  const std::string first_csv = slurp(dir / "out/sweep.csv");
  // Of the 4 runs (2 limits × 2 seeds), run 3 (run-1-seed2) is rank 1's: remove its record and only
  // it is repeated; the other 3 are reported complete by the rank that owns them.
  std::filesystem::remove(dir / "out/runs/run-1-seed2/point.json");
  const auto again = run_fleetsim_mpi(2, args);
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK(count_of(again.output, "(already complete)") == 3);
  CHECK(count_of(again.output, "rollout.max_concurrent=4 seed 2: completed") == 1);
  CHECK(slurp(dir / "out/runs/run-1-seed2/point.json").find("\"rank\": 1") != std::string::npos);
  CHECK(slurp(dir / "out/sweep.csv") == first_csv);
}

TEST_CASE("a sweep across 2 MPI ranks that do not share OUT ends with exit 3 and says so", "[sweep][mpi][cli]") {
  FLEETSIM_SKIP_WITHOUT_MPI();
  TempDir dir;
  const std::string scenario = write_scenario(dir);
  // Two nodes without a shared filesystem, on one machine: rank 0 writes into a/, rank 1 into b/
  // (mpirun's "A : B" starts one rank of each command line), so rank 0 cannot find run 1's results.
  const std::string sweep = "sweep " + shell_quote(scenario) + " --vary rollout.max_concurrent=2,4 --out ";
  const auto cli = fleetsim::testing::run_mpi(
      1, FLEETSIM_BIN, sweep + shell_quote(dir / "a") + " : -np 1 " + shell_quote(FLEETSIM_BIN) + " " + sweep +
                           shell_quote(dir / "b"));
  INFO(cli.output);
  CHECK(cli.exit_code == 3);
  CHECK(cli.output.find("rank 1 ran " + (dir / "a/runs/run-1-seed1") + " but its complete results") !=
        std::string::npos);
  CHECK(cli.output.find("OUT must be on a filesystem every rank shares") != std::string::npos);
  CHECK(std::filesystem::exists(dir / "b/runs/run-1-seed1/point.json"));  // rank 1 did run it
  CHECK_FALSE(std::filesystem::exists(dir / "a/sweep.csv"));
}
