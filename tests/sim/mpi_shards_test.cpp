// Region shards under MPI (`mpirun -np N fleetsim run`): results byte-identical to one process
// for any rank count, rank 0 writes them, and a failing rank ends the whole job without results.
// These tests start the real mpirun of the machine's OpenMPI.
#include <signal.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/mpi_launcher.hpp"

using namespace fleetsim::testing;
namespace fs = std::filesystem;

namespace {

const std::string kSource = FLEETSIM_SOURCE_DIR;

// The deterministic outputs of a run.
const char* kDeterministic[] = {"summary.json", "timeseries.csv", "devices.csv"};

// bench/million.json at a tenth of its size: 100,000 devices, 4 regions of 2 edge sites each.
std::string tenth_of_million() {
  const auto doc = nlohmann::json::parse(slurp(kSource + "/scenarios/bench/million.json"));
  std::string sets;
  for (size_t c = 0; c < doc["fleet"]["cohorts"].size(); ++c)
    sets += " --set fleet.cohorts[" + std::to_string(c) + "].count=" +
            std::to_string(doc["fleet"]["cohorts"][c]["count"].get<int64_t>() / 10);
  return shell_quote(kSource + "/scenarios/bench/million.json") + sets;
}

// Runs `scenario_args` in one process and under 1..4 ranks; every deterministic output must be
// byte-identical to the single process's.
void check_identical_for_1_to_4_ranks(const std::string& scenario_args) {
  TempDir dir;
  const Cli single = run_fleetsim("run " + scenario_args + " --trace-devices --quiet --out " + shell_quote(dir / "single"));
  INFO(single.output);
  REQUIRE(single.exit_code == 0);
  for (int ranks = 1; ranks <= 4; ++ranks) {
    const std::string out = dir / ("ranks-" + std::to_string(ranks));
    const Cli r = run_fleetsim_mpi(ranks, "run " + scenario_args + " --trace-devices --quiet --out " + shell_quote(out));
    INFO(ranks << " ranks: " << r.output);
    REQUIRE(r.exit_code == 0);
    for (const char* file : kDeterministic) {
      INFO(file);
      const std::string expected = slurp(dir / ("single/" + std::string(file)));
      REQUIRE(!expected.empty());
      CHECK(slurp(out + "/" + file) == expected);
    }
  }
}

}  // namespace

TEST_CASE("the quickstart gives byte-identical results on 1, 2, 3 and 4 ranks") {
  FLEETSIM_SKIP_WITHOUT_MPI();
  // 3 regions: with 4 ranks one rank simulates no device at all and still takes part.
  check_identical_for_1_to_4_ranks(shell_quote(kSource + "/scenarios/quickstart.json"));
}

TEST_CASE("regions split into edge sites give byte-identical results on 1, 2, 3 and 4 ranks") {
  FLEETSIM_SKIP_WITHOUT_MPI();
  check_identical_for_1_to_4_ranks(tenth_of_million());
}

TEST_CASE("run.json of a sharded run lists every rank and the devices it simulated") {
  FLEETSIM_SKIP_WITHOUT_MPI();
  TempDir dir;
  const Cli r = run_fleetsim_mpi(2, "run " + tenth_of_million() + " --quiet --out " + shell_quote(dir / "out"));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto run = nlohmann::json::parse(slurp(dir / "out/run.json"));
  REQUIRE(run["ranks"] == 2);
  REQUIRE(run["rank_stats"].size() == 2);
  // Eight sites of 15,000 / 15,000 (eu-central 300k/10 over 2), 22,500 ×2 (us-east), 10,000 ×2
  // (eu-west), 2,500 ×2 (ap-south): largest first, alternately, so each rank has 50,000 devices.
  CHECK(run["rank_stats"][0]["devices"] == 50000);
  CHECK(run["rank_stats"][1]["devices"] == 50000);
  const uint64_t events = run["rank_stats"][0]["events"].get<uint64_t>() + run["rank_stats"][1]["events"].get<uint64_t>();
  CHECK(run["events"].get<uint64_t>() == events);
  CHECK(run["rank_stats"][1]["peak_rss_bytes"].get<int64_t>() > 0);
}

TEST_CASE("ranks that load different scenarios stop before running and name the rank") {
  FLEETSIM_SKIP_WITHOUT_MPI();
  // One job, two programs (MPMD): rank 1 runs the same file with another seed, as a cluster node
  // with a different copy of the scenario would.
  TempDir dir;
  const std::string bin = shell_quote(FLEETSIM_BIN), scenario = shell_quote(kSource + "/scenarios/quickstart.json");
  const std::string out = shell_quote(dir / "out");
  const std::string line = mpirun_prefix() + " -np 1 " + bin + " run " + scenario + " --quiet --out " + out +
                           " : -np 1 " + bin + " run " + scenario + " --seed 99 --quiet --out " + out;
  const Cli r = run_program("/bin/sh", "-c " + shell_quote(line));
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("[rank 1] fleetsim: this rank read a different scenario than rank 0") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "out/summary.json"));
}

TEST_CASE("a scenario error under mpirun is reported once and every rank exits 2") {
  FLEETSIM_SKIP_WITHOUT_MPI();
  TempDir dir;
  std::ofstream(dir / "bad.json") << R"({"name": "bad", "duration": "1x"})";
  const Cli r = run_fleetsim_mpi(3, "run " + shell_quote(dir / "bad.json") + " --quiet --out " + shell_quote(dir / "out"));
  INFO(r.output);
  CHECK(r.exit_code == 2);
  // The loader's message for /duration appears once, not once per rank.
  const std::string needle = "/duration:";
  const size_t first = r.output.find(needle);
  REQUIRE(first != std::string::npos);
  CHECK(r.output.find(needle, first + 1) == std::string::npos);
  CHECK_FALSE(fs::exists(dir / "out/summary.json"));
}

TEST_CASE("a rank that dies ends the whole job and no results files are written") {
  FLEETSIM_SKIP_WITHOUT_MPI();
  // 10M devices keep both ranks busy for many seconds; rank 1 is killed as soon as it runs.
  TempDir dir;
  const std::string out = dir / "out";
  Cli job;
  std::thread launcher([&] {
    job = run_fleetsim_mpi(2, "run " + shell_quote(kSource + "/scenarios/bench/ten-million.json") +
                                  " --quiet --out " + shell_quote(out));
  });
  // Rank 1: a fleetsim process with this output directory on its command line and rank 1 in its
  // environment (OpenMPI sets OMPI_COMM_WORLD_RANK).
  pid_t rank1 = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (rank1 == 0 && std::chrono::steady_clock::now() < deadline) {
    for (const auto& entry : fs::directory_iterator("/proc")) {
      const std::string name = entry.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::string cmdline = slurp(entry.path() / "cmdline"), environment = slurp(entry.path() / "environ");
      for (char& c : cmdline) c = c == '\0' ? ' ' : c;
      if (slurp(entry.path() / "comm") != "fleetsim\n" || cmdline.find(out) == std::string::npos) continue;
      if (environment.find(std::string("OMPI_COMM_WORLD_RANK=1") + '\0') == std::string::npos) continue;
      rank1 = pid_t(std::stoi(name));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(rank1 != 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(kill(rank1, SIGKILL) == 0);
  launcher.join();
  INFO(job.output);
  CHECK(job.exit_code != 0);
  CHECK(job.exit_code != 124);  // not ended by the time limit: mpirun itself ended the job
  CHECK(job.output.find("rank 1") != std::string::npos);
  for (const char* file : {"summary.json", "run.json", "timeseries.csv", "report.html"}) {
    INFO(file);
    CHECK_FALSE(fs::exists(out + "/" + file));
  }
}
