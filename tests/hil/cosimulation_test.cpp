// End to end on loopback: `fleetsim run SCENARIO --boards boards.json` with 10,000 virtual
// devices and two emulated boards (one over UDP, one over a pty) in the canary wave.
#include <catch2/catch.hpp>

#include "tests/hil/hil_scenarios.hpp"
#include "tests/hil/started_board.hpp"

using namespace fleetsim::testing;

namespace {

// The <testsuite name="hil"> element of a junit.xml, or "" if there is none.
std::string hil_suite(const std::string& junit) {
  const auto start = junit.find("<testsuite name=\"hil\"");
  if (start == std::string::npos) return "";
  return junit.substr(start, junit.find("</testsuite>", start) - start);
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A UDP and a pty board (started with `board_flags`) in the canary of 10,000 virtual devices, the
// image 2.0.0, the run's output in dir/out.
struct CanaryRun {
  StartedBoard udp, pty;
  TempDir dir;
  Cli result;
  explicit CanaryRun(const std::vector<std::string>& board_flags)
      : udp(BoardLink::Udp, board_flags), pty(BoardLink::Pty, board_flags) {
    const std::string scenario = write_hil_scenario(dir, 10002, "2.0.0");
    const std::string boards = write_boards(dir, {udp.uri, pty.uri});
    result = run_fleetsim("run " + shell_quote(scenario) + " --boards " + shell_quote(boards) + " --out " +
                          shell_quote(dir / "out"));
  }
};

}  // namespace

TEST_CASE("a good image on two boards in the canary of 10,000 devices passes and the rollout completes",
          "[hil][e2e]") {
  CanaryRun run({"--reset-time", "0.3"});
  const Cli& r = run.result;
  const TempDir& dir = run.dir;
  INFO(r.output);
  CHECK(r.exit_code == 0);
  // 10,000 virtual devices and the two board-backed slots all reach 2.0.0.
  CHECK(r.output.find("rollout completed: 10002 of 10002 devices on 2.0.0") != std::string::npos);
  CHECK(r.output.find("PASS board b0 update to 2.0.0") != std::string::npos);
  CHECK(r.output.find("PASS board b1 update to 2.0.0") != std::string::npos);
  const auto summary = Doc::parse(slurp(dir / "out/summary.json"));
  CHECK(summary.dump().find("\"completed\"") != std::string::npos);
  // The boards really run the image now.
  CHECK(run_fleetsim("hil probe " + shell_quote(run.udp.uri)).output.find("running 2.0.0") != std::string::npos);
  CHECK(run_fleetsim("hil probe " + shell_quote(run.pty.uri)).output.find("running 2.0.0") != std::string::npos);
}

TEST_CASE("an image the boards revert fails the canary gate, pauses the rollout and the run exits 1 saying why",
          "[hil][e2e]") {
  CanaryRun run({"--reset-time", "0.3", "--boot-fail", "2.0.0"});
  const Cli& r = run.result;
  const TempDir& dir = run.dir;
  INFO(r.output);
  CHECK(r.exit_code == 1);
  // The canary is the two boards; both rolled back, 2 failures of 2 > max_failure 0 → pause, and
  // none of the 10,000 others is released.
  CHECK(r.output.find("rollout paused: 0 of 10002 devices on 2.0.0") != std::string::npos);
  CHECK(r.output.find("FAIL rollout.state == completed") != std::string::npos);
  CHECK(r.output.find("FAIL board b0 update to 2.0.0") != std::string::npos);
  CHECK(r.output.find("rolled_back: MCUboot reverted to 1.0.0") != std::string::npos);
  const auto summary = Doc::parse(slurp(dir / "out/summary.json"));
  CHECK(summary.dump().find("\"paused\"") != std::string::npos);
  // junit.xml: one test case per board in the "hil" suite, each a <failure> (a firmware
  // failure, not an <error>) whose message says the board reverted.
  const std::string hil = hil_suite(slurp(dir / "out/junit.xml"));
  INFO(hil);
  CHECK(hil.find("tests=\"2\" failures=\"2\" errors=\"0\"") != std::string::npos);
  CHECK(count_of(hil, "<failure message=\"rolled_back: MCUboot reverted to 1.0.0") == 2);
  CHECK(hil.find("name=\"board b0 update to 2.0.0") != std::string::npos);
  CHECK(hil.find("name=\"board b1 update to 2.0.0") != std::string::npos);
  CHECK(hil.find("<error") == std::string::npos);
  CHECK(run_fleetsim("hil probe " + shell_quote(run.udp.uri)).output.find("running 1.0.0") != std::string::npos);
}

TEST_CASE("a board that does not answer is an infrastructure error: the run exits 3", "[hil][e2e]") {
  StartedBoard good(BoardLink::Udp, {"--reset-time", "0.3"});
  std::string dead;
  {
    StartedBoard gone(BoardLink::Udp);
    dead = gone.uri;
  }
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 100, "2.0.0");
  const std::string boards = write_boards(dir, {good.uri, dead});
  Cli r = run_fleetsim("run " + shell_quote(scenario) + " --boards " + shell_quote(boards) + " --out " +
                       shell_quote(dir / "out"));
  INFO(r.output);
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("ERROR board b1 update to 2.0.0: board b1 (" + dead + ") unavailable: echo: no response") !=
        std::string::npos);
  CHECK(r.output.find("PASS board b0 update to 2.0.0") != std::string::npos);
  // The results are still written, so the report shows the error.
  CHECK(std::filesystem::exists(dir / "out/summary.json"));
  // junit.xml: b1 is an <error> (infrastructure), b0 passed (no failure, no error).
  const std::string hil = hil_suite(slurp(dir / "out/junit.xml"));
  INFO(hil);
  CHECK(hil.find("tests=\"2\" failures=\"0\" errors=\"1\"") != std::string::npos);
  CHECK(count_of(hil, "<error message=\"board b1 (" + dead + ") unavailable: echo: no response") == 1);
  CHECK(hil.find("<failure") == std::string::npos);
}

TEST_CASE("run --boards without a hil section, or with a board no slot fits, exits 2", "[hil][e2e]") {
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 100, "2.0.0");
  Doc doc = Doc::parse(slurp(scenario));
  doc.erase("hil");
  std::ofstream(dir / "plain.json") << doc.dump();
  const std::string boards = write_boards(dir, {"udp://127.0.0.1:9"});
  Cli no_section = run_fleetsim("run " + shell_quote(dir / "plain.json") + " --boards " + shell_quote(boards));
  CHECK(no_section.exit_code == 2);
  CHECK(no_section.output.find("--boards needs a \"hil\" section") != std::string::npos);

  // Three boards for a canary of two devices: the third has no slot (checked before any board
  // is contacted).
  const std::string three = write_boards(dir, {"udp://127.0.0.1:9", "udp://127.0.0.1:10", "udp://127.0.0.1:11"});
  Cli too_many = run_fleetsim("run " + shell_quote(scenario) + " --boards " + shell_quote(three));
  CHECK(too_many.exit_code == 2);
  CHECK(too_many.output.find("/boards/2/stands_for: no free device of model \"m\" in the scenario's hil scope wave:0") !=
        std::string::npos);
}

TEST_CASE("run --boards with an agent board exits 2 naming it (agent boards are not bound yet)", "[hil][e2e]") {
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 100, "2.0.0");
  std::ofstream(dir / "agents.json") << R"({"boards": [{"id": "gw-1", "agent": "swupdate", "stands_for": "m", "token": "t"}]})";
  Cli r = run_fleetsim("run " + shell_quote(scenario) + " --boards " + shell_quote(dir / "agents.json") + " --out " +
                       shell_quote(dir / "out"));
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("/boards/0/agent: board \"gw-1\" is a swupdate agent board, which `fleetsim run` does not bind") !=
        std::string::npos);
}
