// One board under two boards.json entries (same URI, a host name and its address, one tty under
// two paths or baud rates) is refused: two update flows on one board would interleave.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "hil/board/board_identity.hpp"
#include "hil/board/board_inventory.hpp"
#include "tests/hil/hil_scenarios.hpp"
#include "tests/hil/started_board.hpp"

using namespace fleetsim::hil;
using namespace fleetsim::testing;

namespace {

const std::vector<std::string> kModels = {"m"};

std::string two_boards(const std::string& uri0, const std::string& uri1, const std::string& model = "m") {
  return R"({"boards": [{"id": "b0", "uri": ")" + uri0 + R"(", "stands_for": ")" + model + R"("},
                        {"id": "b1", "uri": ")" + uri1 + R"(", "stands_for": ")" + model + R"("}]})";
}

// The tty path of a serial:// URI written by StartedBoard ("serial:///dev/pts/N?baud=115200").
std::string tty_of(const std::string& uri) { return uri.substr(9, uri.find('?') - 9); }

}  // namespace

TEST_CASE("boards.json naming one UDP board twice is refused, whether by the same URI or by host name and address",
          "[hil][inventory][bench]") {
  for (const auto& [first, second] : {std::pair{"udp://127.0.0.1:4001", "udp://127.0.0.1:4001"},
                                      std::pair{"udp://127.0.0.1:4001", "udp://localhost:4001"},
                                      std::pair{"udp://LOCALHOST:4001", "udp://127.0.0.1:4001"}}) {
    auto r = load_board_inventory_text(two_boards(first, second), kModels);
    INFO(first << " / " << second);
    CHECK_FALSE(r.inventory);
    // localhost resolves to 127.0.0.1 (/etc/hosts), so both reach 127.0.0.1 port 4001.
    CHECK(r.format("boards.json").find("boards.json: /boards/1/uri: same board as /boards/0 (\"b0\", " +
                                       std::string(first) + "): \"" + second + "\" reaches 127.0.0.1") !=
          std::string::npos);
  }
  // Another port is another board.
  auto other = load_board_inventory_text(two_boards("udp://127.0.0.1:4001", "udp://localhost:4002"), kModels);
  INFO(other.format("boards.json"));
  CHECK(other.inventory);
}

TEST_CASE("boards.json naming one tty twice (a symlink, another baud) is refused, two ttys are two boards",
          "[hil][inventory][bench]") {
  StartedBoard a(BoardLink::Pty), b(BoardLink::Pty);
  TempDir dir;
  const std::string tty = tty_of(a.uri);
  std::filesystem::create_symlink(tty, dir / "by-id-board");
  for (const std::string& second : {"serial://" + dir / "by-id-board" + "?baud=115200", "serial://" + tty + "?baud=9600"}) {
    auto r = load_board_inventory_text(two_boards(a.uri, second), kModels);
    INFO(second);
    CHECK_FALSE(r.inventory);
    struct stat st {};
    REQUIRE(stat(tty.c_str(), &st) == 0);
    const std::string dev = std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
    CHECK(r.format("boards.json").find("/boards/1/uri: same board as /boards/0 (\"b0\", " + a.uri + "): \"" + second +
                                       "\" reaches tty device " + dev + " too") != std::string::npos);
  }
  CHECK(load_board_inventory_text(two_boards(a.uri, b.uri), kModels).inventory);
}

TEST_CASE("fleetsim run and hil probe refuse a boards.json with one board twice and exit 2 naming both entries",
          "[hil][cli][bench]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2"});
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 20, "2.0.0");
  const std::string port = board.uri.substr(board.uri.rfind(':') + 1);
  const std::string boards = write_boards(dir, {board.uri, "udp://localhost:" + port});
  Cli r = run_fleetsim("run " + shell_quote(scenario) + " --boards " + shell_quote(boards) + " --out " +
                       shell_quote(dir / "out") + " --board-lock-dir " + shell_quote(dir / "locks"));
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find(boards + ": /boards/1/uri: same board as /boards/0 (\"b0\", " + board.uri + ")") !=
        std::string::npos);
  CHECK(r.output.find("flashing") == std::string::npos);
  // hil commands know the catalog's models only.
  std::ofstream(dir / "catalog-boards.json") << two_boards(board.uri, "udp://localhost:" + port, "eth-gateway");
  Cli probe = run_fleetsim("hil probe b0 --boards " + shell_quote(dir / "catalog-boards.json") + " --board-lock-dir " +
                           shell_quote(dir / "locks"));
  INFO(probe.output);
  CHECK(probe.exit_code == 2);
  CHECK(probe.output.find("same board as /boards/0") != std::string::npos);
}
