// Attaching boards to a run (hil/cosim/board_binding): each board's known-state step runs on a
// thread of its own, and SIGINT/SIGTERM during them interrupts the run promptly. Real
// fleetsim-board processes on 127.0.0.1 (tests/hil/pending_boards.hpp).
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/hil/pending_boards.hpp"
#include "tests/spawned_process.hpp"

using namespace fleetsim::testing;
using Clock = std::chrono::steady_clock;

TEST_CASE("the known-state steps of four boards run at the same time", "[hil][known-state][cli]") {
  TempDir dir;
  PendingBoards bench(dir, 4, "1.5");
  Spawned run({FLEETSIM_BIN, "run", bench.scenario, "--boards", bench.inventory, "--out", dir / "out"},
              "board(s) reserved");
  REQUIRE(run.stderr_text.find("board(s) reserved") != std::string::npos);
  const auto reserved = Clock::now();
  std::size_t at = 0;
  for (int ready = 0; ready < 4; ++ready) {
    REQUIRE(run.read_until("stands for device", at));
    at = run.stderr_text.find("stands for device", at) + 1;
  }
  const double attach = std::chrono::duration<double>(Clock::now() - reserved).count();
  INFO(run.stderr_text);
  WARN("4 boards brought to their known state in " << attach << " s");
  // Each board waits out two resets of 1.5 s: at least 3 s. One after the other that is at least
  // 4 x 3 = 12 s; at the same time, 3 s and the requests (milliseconds each): below 6 s.
  CHECK(attach >= 3.0);
  CHECK(attach < 6.0);
  CHECK(run.stderr_text.find("reset (boot the pending image so that it can be reverted); reset (revert the "
                             "unconfirmed 2.0.0); now on 1.0.0, confirmed") != std::string::npos);
  // Then the gate updates all four as before.
  CHECK(run.wait() == 0);
  INFO(run.stderr_text);
  const std::string checks = slurp(dir / "out/checks.json");
  for (int i = 0; i < 4; ++i) CHECK(checks.find("board b" + std::to_string(i) + " update to 2.0.0") != std::string::npos);
}

TEST_CASE("SIGINT while slow boards are brought to their known state ends the run within 2 s with an interrupted "
          "result",
          "[hil][known-state][cli]") {
  // Four boards, each needing two resets of 5 s: 40 s one after the other. Before, the signal was
  // seen only once all were done (a run stopped 4.2 s in ended after 15.2 s).
  TempDir dir;
  PendingBoards bench(dir, 4, "5");
  Spawned run({FLEETSIM_BIN, "run", bench.scenario, "--boards", bench.inventory, "--out", dir / "out"},
              "board(s) reserved");
  REQUIRE(run.stderr_text.find("board(s) reserved") != std::string::npos);
  // After a second every board waits for itself after its first reset.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto signalled = Clock::now();
  kill(run.pid, SIGINT);
  const int code = run.wait();
  const double seconds = std::chrono::duration<double>(Clock::now() - signalled).count();
  INFO(run.stderr_text);
  WARN("SIGINT during the known-state steps: exit " << code << " after " << seconds << " s");
  CHECK(code == 3);
  // The stop is polled every 50 ms and inside each board's wait (probes of 0.2 s); then four small
  // files. Boards still busy after 1 s would be abandoned: none is.
  CHECK(seconds < 2.0);
  CHECK(run.stderr_text.find("abandoned") == std::string::npos);
  CHECK(run.stderr_text.find("interrupted by SIGINT at simulated t=0") != std::string::npos);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir / "out")) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"junit.xml", "manifest.json", "scenario.json", "summary.json", "summary.md"});
  const auto summary = nlohmann::json::parse(slurp(dir / "out/summary.json"));
  CHECK(summary["state"] == "interrupted");
  CHECK(summary["interrupted"]["signal"] == "SIGINT");
}

TEST_CASE("SIGINT while a board uploads its baseline abandons it after 1 s, names it and ends the run with an "
          "interrupted result",
          "[hil][known-state][cli]") {
  TempDir dir;
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2"});
  const std::string scenario = write_hil_scenario(dir, 10, "2.0.0", 1);
  // The board on 2.0.0, confirmed, as a previous gate leaves it.
  REQUIRE(run_fleetsim("hil flash " + shell_quote(board.uri) + " " + shell_quote(dir / "image.bin") +
                       " --reboot-timeout 10")
              .exit_code == 0);
  // Restarted on the same state and port, writing flash at 2,000 B/s: the baseline of 1.0.0
  // (20,000 bytes and its header) takes 10 s to upload, inside requests the stop cannot enter.
  const std::string port = board.uri.substr(board.uri.rfind(':') + 1);
  board.process.reset();
  board.process = std::make_unique<BoardProcess>(std::vector<std::string>{
      "--udp", "127.0.0.1:" + port, "--state-dir", board.state.path.string(), "--reset-time", "0.2", "--flash-rate",
      "2000"});
  REQUIRE(board.process->read_line(std::chrono::seconds(10)));
  write_image_file(dir, "base.bin", {1, 0, 0, 0}, 20000);
  Doc doc = Doc::parse(slurp(scenario));
  doc["hil"]["baseline"] = "base.bin";
  std::ofstream(dir / "with-baseline.json") << doc.dump(2);

  Spawned run({FLEETSIM_BIN, "run", dir / "with-baseline.json", "--boards", write_boards(dir, {board.uri}), "--out",
               dir / "out"},
              "board(s) reserved");
  REQUIRE(run.stderr_text.find("board(s) reserved") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the baseline upload is under way
  const auto signalled = Clock::now();
  kill(run.pid, SIGINT);
  const int code = run.wait();
  const double seconds = std::chrono::duration<double>(Clock::now() - signalled).count();
  INFO(run.stderr_text);
  WARN("SIGINT during a baseline upload: exit " << code << " after " << seconds << " s");
  CHECK(code == 3);
  // The steps get 1 s to end (kAbandonAfter); then the interrupted result and the exit.
  CHECK(seconds >= 1.0);
  CHECK(seconds < 2.0);
  CHECK(run.stderr_text.find("fleetsim: board b0 is still being brought to its known state after 1000 ms: abandoned") !=
        std::string::npos);
  CHECK(nlohmann::json::parse(slurp(dir / "out/summary.json"))["state"] == "interrupted");
}
