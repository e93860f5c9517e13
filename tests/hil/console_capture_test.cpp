// Board consoles during an update: fleetsim-board prints a Zephyr boot banner with its running
// version after every reset (on its pty, or on --console-pty for a UDP board); the run records
// the console into the board's JUnit case and checks the scenario's hil.console expectations.
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>

#include "hil/board/console_capture.hpp"
#include "tests/hil/hil_scenarios.hpp"
#include "tests/hil/started_board.hpp"

using namespace fleetsim::testing;
using namespace std::chrono_literals;

namespace {

// A UDP board with --console-pty: its console tty is the second stdout line.
struct UdpBoardWithConsole {
  StartedBoard board;
  std::string console;
  UdpBoardWithConsole() : board(BoardLink::Udp, {"--reset-time", "0.3", "--console-pty"}) {
    const auto line = board.process->read_line(10s);
    REQUIRE(line);
    const std::string prefix = "fleetsim-board: console on pty ";
    REQUIRE(line->rfind(prefix, 0) == 0);
    console = "serial://" + line->substr(prefix.size());
  }
};

// The scenario of write_hil_scenario with hil.console set to `console` (a JSON array).
std::string scenario_with_console(const TempDir& dir, const std::string& console) {
  const std::string path = write_hil_scenario(dir, 20, "2.0.0");
  Doc doc = Doc::parse(slurp(path));
  doc["hil"]["console"] = Doc::parse(console);
  std::ofstream(path) << doc.dump(2);
  return path;
}

std::string board_case(const std::string& junit) {
  const auto start = junit.find("<testcase classname=\"hil\" name=\"board b0 update to 2.0.0\"");
  if (start == std::string::npos) return "";
  return junit.substr(start, junit.find("</testcase>", start) - start);
}

Cli run_with(const TempDir& dir, const std::string& scenario, const std::string& boards) {
  return run_fleetsim("run " + shell_quote(scenario) + " --boards " + shell_quote(boards) + " --out " +
                      shell_quote(dir / "out") + " --board-lock-dir " + shell_quote(dir / "locks"));
}

}  // namespace

TEST_CASE("a UDP board's console tty shows the boot banner with the running version after each reset",
          "[hil][emulator][console]") {
  UdpBoardWithConsole b;
  fleetsim::hil::ConsoleCapture capture(fleetsim::hil::parse_transport_uri(b.console).value());
  // (What the board printed at start, before the tty was opened, is flushed by the open.)
  // A reset through SMP prints the banner, after the 0.3 s the board stays silent.
  Cli reset = run_fleetsim("hil flash " + shell_quote(b.board.uri) + " " +
                           shell_quote(write_image_file(b.board.state, "x.bin", {2, 0, 0, 0}, 5000)) +
                           " --reboot-timeout 10 --board-lock-dir " + shell_quote(b.board.state / "locks"));
  INFO(reset.output);
  REQUIRE(reset.exit_code == 0);
  const auto after = capture.wait_for("fleetsim-board: running 2\\.0\\.0", 5000ms);
  REQUIRE(after);
  CHECK(after->seconds >= 0.3);
  const auto lines = capture.lines();
  REQUIRE(lines.size() == 2);  // one reset, one banner of two lines
  CHECK(std::regex_match(lines[0].text, std::regex("\\*\\*\\* Booting Zephyr OS build v[0-9.]+ \\*\\*\\*")));
  CHECK(lines[1].text == "fleetsim-board: running 2.0.0");
}

TEST_CASE("a run records a UDP board's console in its JUnit case and passes the hil.console expectation",
          "[hil][e2e][console]") {
  UdpBoardWithConsole b;
  TempDir dir;
  const std::string scenario = scenario_with_console(dir, R"([{"expect": "running 2\\.0\\.0", "within": "5s"}])");
  std::ofstream(dir / "boards.json") << R"({"boards": [{"id": "b0", "uri": ")" << b.board.uri << R"(", "console": ")"
                                     << b.console << R"(", "stands_for": "m"}]})";
  Cli r = run_with(dir, scenario, dir / "boards.json");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  const std::string c = board_case(slurp(dir / "out/junit.xml"));
  INFO(c);
  // The banner after the update's reset, stamped with the seconds since the update started.
  CHECK(std::regex_search(c, std::regex(R"(console \(\d+ lines\):\n(\+\d+\.\d{3} s [^\n]*\n)*\+\d+\.\d{3} s fleetsim-board: running 2\.0\.0\n)")));
  CHECK(c.find("<failure") == std::string::npos);
}

TEST_CASE("a console line that does not come within the bound fails the board's case with exit 1",
          "[hil][e2e][console]") {
  UdpBoardWithConsole b;
  TempDir dir;
  const std::string scenario = scenario_with_console(dir, R"([{"expect": "running 9\\.9\\.9", "within": "1s"}])");
  std::ofstream(dir / "boards.json") << R"({"boards": [{"id": "b0", "uri": ")" << b.board.uri << R"(", "console": ")"
                                     << b.console << R"(", "stands_for": "m"}]})";
  Cli r = run_with(dir, scenario, dir / "boards.json");
  INFO(r.output);
  CHECK(r.exit_code == 1);
  const std::string c = board_case(slurp(dir / "out/junit.xml"));
  INFO(c);
  CHECK(c.find("<failure message=\"console: /running 9\\.9\\.9/ did not appear within 1 s after the reset "
               "(scenario /hil/console/0); updated:") != std::string::npos);
  CHECK(c.find("fleetsim-board: running 2.0.0") != std::string::npos);  // what it did print
}

TEST_CASE("a serial board's console lines come from its SMP tty into the JUnit case", "[hil][e2e][console]") {
  StartedBoard board(BoardLink::Pty, {"--reset-time", "0.3"});
  TempDir dir;
  const std::string scenario = scenario_with_console(dir, R"([{"expect": "running 2\\.0\\.0"}])");
  const std::string boards = write_boards(dir, {board.uri});
  Cli r = run_with(dir, scenario, boards);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  const std::string c = board_case(slurp(dir / "out/junit.xml"));
  INFO(c);
  CHECK(c.find("*** Booting Zephyr OS build") != std::string::npos);
  CHECK(c.find("\nfleetsim-board: running 2.0.0\n") != std::string::npos);
}

TEST_CASE("hil.console and a board's console URI are checked like the rest of their files", "[hil][console]") {
  TempDir dir;
  const std::string scenario = scenario_with_console(dir, R"([{"expect": "running (2"}])");
  Cli bad_regex = run_fleetsim("validate " + shell_quote(scenario));
  INFO(bad_regex.output);
  CHECK(bad_regex.exit_code == 2);
  CHECK(bad_regex.output.find("/hil/console/0/expect: \"running (2\" is not a regular expression") != std::string::npos);
  const std::string ok = scenario_with_console(dir, R"([{"expect": "running"}])");
  std::ofstream(dir / "boards.json") << R"({"boards": [{"id": "b0", "uri": "udp://127.0.0.1:4301", "console": "udp://127.0.0.1:4302", "stands_for": "m"}]})";
  Cli bad_console = run_with(dir, ok, dir / "boards.json");
  CHECK(bad_console.exit_code == 2);
  CHECK(bad_console.output.find("/boards/0/console: console \"udp://127.0.0.1:4302\" is not a tty") != std::string::npos);
}
