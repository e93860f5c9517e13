// SIGINT and SIGTERM during `fleetsim run` (sim/cli/stop_signals): a signal the process inherited
// as ignored stays ignored (POSIX: a non-interactive shell starts a background job with SIGINT
// ignored, so that a Ctrl-C meant for the foreground job does not reach it). The real binary,
// started with SIGINT ignored as such a shell does (the disposition survives exec).
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/cli_runner.hpp"
#include "tests/hil/pending_boards.hpp"
#include "tests/reports/shipped_runs.hpp"
#include "tests/spawned_process.hpp"

using namespace fleetsim::testing;
using namespace std::chrono_literals;

TEST_CASE("fleetsim run started with SIGINT ignored keeps running on SIGINT and still stops on SIGTERM",
          "[results][cli]") {
  // A run whose one board needs two resets of 5 s to reach its known state: at least 10 s, spent
  // waiting (not on a CPU, so the time does not depend on the machine's load).
  TempDir tmp;
  PendingBoards bench(tmp, 1, "5");
  Spawned run({FLEETSIM_BIN, "run", bench.scenario, "--boards", bench.inventory, "--out", tmp / "out"},
              "board(s) reserved", true);
  REQUIRE(run.stderr_text.find("board(s) reserved") != std::string::npos);
  kill(run.pid, SIGINT);
  // A run that handles SIGINT here ends within 2 s (board_attach_test); this one goes on.
  std::this_thread::sleep_for(2s);
  REQUIRE(run.running());
  const auto signalled = std::chrono::steady_clock::now();
  kill(run.pid, SIGTERM);
  const int code = run.wait();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  INFO(run.stderr_text);
  CHECK(code == 3);
  CHECK(seconds < 2.0);
  CHECK(run.stderr_text.find("interrupted by SIGTERM") != std::string::npos);
  CHECK(run.stderr_text.find("interrupted by SIGINT") == std::string::npos);
  CHECK(nlohmann::json::parse(slurp(tmp / "out/summary.json"))["interrupted"]["signal"] == "SIGTERM");
}

TEST_CASE("fleetsim run --metrics-linger started with SIGINT ignored keeps serving on SIGINT and ends on SIGTERM",
          "[reports][prometheus][cli]") {
  TempDir tmp;
  Spawned run({FLEETSIM_BIN, "run", shipped_scenario("quickstart.json"), "--out", tmp / "out", "--quiet",
               "--metrics-listen", "127.0.0.1:0", "--metrics-linger", "600"},
              "", true);
  // The quickstart run takes well under a second; --quiet prints nothing, so wait for its results.
  for (auto until = std::chrono::steady_clock::now() + 60s;
       !std::filesystem::exists(tmp / "out/manifest.json") && std::chrono::steady_clock::now() < until;)
    std::this_thread::sleep_for(50ms);
  REQUIRE(std::filesystem::exists(tmp / "out/manifest.json"));
  kill(run.pid, SIGINT);
  std::this_thread::sleep_for(1s);  // linger checks for a signal every 50 ms
  REQUIRE(run.running());
  const auto signalled = std::chrono::steady_clock::now();
  kill(run.pid, SIGTERM);
  CHECK(run.wait() == 0);
  // The linger ends within 50 ms, then the server stops and the process exits: seconds on a loaded
  // machine, far from the 600 s it would otherwise serve.
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count() < 10.0);
}
