// boards.json: the bench inventory, validated like scenarios (JSON pointers, exit 2).
#include <catch2/catch.hpp>

#include "hil/board/board_inventory.hpp"
#include "tests/cli_runner.hpp"

using namespace fleetsim::hil;
using namespace fleetsim::testing;

namespace {
const std::vector<std::string> kModels = {"eth-gateway", "nbiot-meter"};
}

TEST_CASE("a boards.json with a UDP and a serial board, hooks and tags loads", "[hil][inventory]") {
  auto r = load_board_inventory_text(R"({"boards": [
      {"id": "nrf9160-a", "uri": "serial:///dev/ttyACM0?baud=115200", "stands_for": "nbiot-meter",
       "power_off": ["uhubctl", "-a", "off", "-p", "2"], "power_on": ["uhubctl", "-a", "on", "-p", "2"],
       "tags": ["bench-a"]},
      {"id": "emu-1", "uri": "udp://127.0.0.1:1337", "stands_for": "eth-gateway", "reset": ["true"]}]})",
                                     kModels);
  INFO(r.format("boards.json"));
  REQUIRE(r.inventory);
  REQUIRE(r.inventory->boards.size() == 2);
  const BoardSpec* a = r.inventory->find("nrf9160-a");
  REQUIRE(a);
  CHECK(a->uri.scheme == TransportUri::Scheme::Serial);
  CHECK(a->uri.path == "/dev/ttyACM0");
  CHECK(a->power_off == std::vector<std::string>{"uhubctl", "-a", "off", "-p", "2"});
  CHECK(a->tags == std::vector<std::string>{"bench-a"});
  const BoardSpec* b = r.inventory->find("emu-1");
  REQUIRE(b);
  CHECK(b->uri.port == 1337);
  CHECK(b->reset == std::vector<std::string>{"true"});
  CHECK(r.inventory->find("nope") == nullptr);
}

TEST_CASE("every problem in boards.json is reported with its JSON pointer", "[hil][inventory]") {
  auto r = load_board_inventory_text(R"({"boards": [
      {"id": "a", "uri": "tcp://1.2.3.4", "stands_for": "toaster"},
      {"id": "a", "uri": "udp://127.0.0.1:1337", "stands_for": "eth-gateway"},
      {"uri": "udp://127.0.0.1:1338", "stands_for": "eth-gateway", "power_off": "uhubctl -a off", "colour": "red"},
      {"id": "c", "uri": "udp://127.0.0.1:1339", "stands_for": "eth-gateway", "power_off": ["x"]}]})",
                                     kModels);
  REQUIRE_FALSE(r.inventory);
  // In document order, as the reader meets them: board 0's URI (transport_uri.cpp's message) and
  // model (two candidates, none close to "toaster", so both are listed); board 1 repeats board
  // 0's id; board 2's unknown key is reported on entering the object, then its missing id and
  // its hook that is not an array; board 3 has a power_off hook without power_on.
  CHECK(r.format("boards.json") ==
        "boards.json: /boards/0/uri: \"tcp://1.2.3.4\" is not a board URI: unknown scheme \"tcp\", the schemes are "
        "udp and serial (expected udp://HOST:PORT, e.g. udp://127.0.0.1:1337, or serial:///dev/ttyACM0?baud=115200)\n"
        "boards.json: /boards/0/stands_for: unknown device model \"toaster\" (expected one of \"eth-gateway\" or "
        "\"nbiot-meter\")\n"
        "boards.json: /boards/1/id: duplicate board id \"a\" (expected each id once)\n"
        "boards.json: /boards/2/colour: unknown key \"colour\" (expected one of \"id\", \"uri\", \"stands_for\", "
        "\"power_off\", \"power_on\", \"reset\", \"tags\", \"console\", \"agent\" or \"token\")\n"
        "boards.json: /boards/2/id: missing required key \"id\" (expected a unique board id such as \"emu-1\")\n"
        "boards.json: /boards/2/power_off: wrong type: got a string \"uhubctl -a off\" (expected an argv array such "
        "as [\"uhubctl\", \"-a\", \"off\", \"-p\", \"2\"], run without a shell)\n"
        "boards.json: /boards/3: power_off and power_on go together (expected both hooks or neither)\n");
}

TEST_CASE("boards.json agent boards have an agent and a token instead of a uri", "[hil][inventory]") {
  auto r = load_board_inventory_text(R"({"boards": [
      {"id": "gw-1", "agent": "swupdate", "stands_for": "eth-gateway", "token": "t0k-1"},
      {"id": "gw-2", "agent": "mender", "stands_for": "eth-gateway"},
      {"id": "emu-1", "uri": "udp://127.0.0.1:1337", "stands_for": "eth-gateway"}]})",
                                     kModels);
  INFO(r.format("boards.json"));
  REQUIRE(r.inventory);
  const BoardSpec* gw1 = r.inventory->find("gw-1");
  REQUIRE(gw1);
  CHECK(gw1->agent == BoardAgent::kSwupdate);
  CHECK(gw1->token == "t0k-1");
  CHECK(gw1->uri_text.empty());
  CHECK(r.inventory->find("gw-2")->agent == BoardAgent::kMender);
  CHECK(r.inventory->find("gw-2")->token.empty());
  CHECK(r.inventory->find("emu-1")->agent == BoardAgent::kNone);
}

TEST_CASE("boards.json agent board mistakes are reported with their pointers", "[hil][inventory]") {
  auto r = load_board_inventory_text(R"({"boards": [
      {"id": "a", "agent": "rauc", "stands_for": "eth-gateway"},
      {"id": "b", "agent": "swupdate", "uri": "udp://127.0.0.1:1", "stands_for": "eth-gateway", "token": "two words"},
      {"id": "c", "uri": "udp://127.0.0.1:2", "stands_for": "eth-gateway", "token": "t"}]})",
                                     kModels);
  REQUIRE_FALSE(r.inventory);
  CHECK(r.format("boards.json") ==
        "boards.json: /boards/0/agent: unknown agent \"rauc\" (expected \"swupdate\" or \"mender\")\n"
        "boards.json: /boards/1/token: token \"two words\" has spaces or control characters (expected printable "
        "ASCII: it is sent in an HTTP header)\n"
        "boards.json: /boards/1/uri: an agent board polls fleetsim and has no uri (remove \"uri\" or \"agent\")\n"
        "boards.json: /boards/2/token: a token is for agent boards (expected \"agent\": \"swupdate\" or \"mender\" "
        "with it, or no token)\n");
}

TEST_CASE("a misspelt key in boards.json is reported with the key it was probably meant to be", "[hil][inventory]") {
  auto r = load_board_inventory_text(
      R"({"$shema": "boards.schema.json",
          "boards": [{"id": "a", "uri": "udp://127.0.0.1:1337", "stand_for": "eth-gateway"}]})",
      kModels);
  REQUIRE_FALSE(r.inventory);
  // "$shema" is one insertion from "$schema", "stand_for" one from "stands_for"; the board then
  // lacks its required "stands_for".
  CHECK(r.format("boards.json") ==
        "boards.json: /$shema: unknown key \"$shema\" (did you mean \"$schema\"?)\n"
        "boards.json: /boards/0/stand_for: unknown key \"stand_for\" (did you mean \"stands_for\"?)\n"
        "boards.json: /boards/0/stands_for: missing required key \"stands_for\" (expected the name of the device "
        "model the board stands in for)\n");
}

TEST_CASE("a misspelt device model in boards.json is reported with the model it was probably meant to be",
          "[hil][inventory]") {
  auto r = load_board_inventory_text(
      R"({"boards": [{"id": "a", "uri": "udp://127.0.0.1:1337", "stands_for": "eth-gatewy"}]})", kModels);
  // "eth-gatewy" is one insertion from "eth-gateway".
  CHECK(r.format("boards.json") ==
        "boards.json: /boards/0/stands_for: unknown device model \"eth-gatewy\" (did you mean \"eth-gateway\"?)\n");
}

TEST_CASE("a key given twice in boards.json is an error at the second one", "[hil][inventory]") {
  // Without the check the board would load with the last id, "b", and nobody would know.
  auto r = load_board_inventory_text(
      R"({"boards": [{"id": "a", "uri": "udp://127.0.0.1:1337", "id": "b", "stands_for": "eth-gateway"}]})", kModels);
  REQUIRE_FALSE(r.inventory);
  CHECK(r.format("boards.json") == "boards.json: /boards/0/id: duplicate key \"id\" (expected each key once)\n");
}

TEST_CASE("a boards.json that is not JSON is reported with the line and column of the mistake", "[hil][inventory]") {
  // The '}' after the comma is the 14th character of line 2: two spaces, {"id": "a", is 11 more.
  auto r = load_board_inventory_text("{\"boards\": [\n  {\"id\": \"a\",}\n]}", kModels);
  REQUIRE_FALSE(r.inventory);
  CHECK(r.format("boards.json") ==
        "boards.json: line 2, column 14: syntax error: unexpected '}'; expected string literal (is there a trailing "
        "comma?)\n");
}

TEST_CASE("a boards.json without boards, or with an empty list of them, is rejected", "[hil][inventory]") {
  CHECK(load_board_inventory_text(R"({"board": []})", kModels).format("boards.json") ==
        "boards.json: /board: unknown key \"board\" (did you mean \"boards\"?)\n"
        "boards.json: /boards: missing required key \"boards\" (expected an array of boards)\n");
  CHECK(load_board_inventory_text(R"({"boards": []})", kModels).format("boards.json") ==
        "boards.json: /boards: no boards (expected at least one board)\n");
}

TEST_CASE("hooks in boards.json are non-empty argv arrays and tags non-empty strings", "[hil][inventory]") {
  auto r = load_board_inventory_text(R"({"boards": [{"id": "a", "uri": "udp://127.0.0.1:1337",
                                                     "stands_for": "eth-gateway", "reset": [], "tags": ["", 3]}]})",
                                     kModels);
  CHECK(r.format("boards.json") ==
        "boards.json: /boards/0/reset: no arguments (expected an argv array such as [\"uhubctl\", \"-a\", \"off\", "
        "\"-p\", \"2\"], run without a shell)\n"
        "boards.json: /boards/0/tags/0: empty string (expected a non-empty string)\n"
        "boards.json: /boards/0/tags/1: wrong type: got a number 3 (expected a string)\n");
}

TEST_CASE("a boards.json path that is a directory is reported as such", "[hil][inventory]") {
  TempDir dir;
  CHECK(load_board_inventory_file(dir.path.string(), kModels).format("boards.json") ==
        "boards.json: cannot read file: it is a directory (expected a boards.json inventory)\n");
}

TEST_CASE("fleetsim hil with an invalid boards.json exits 2 naming the file and pointer", "[hil][inventory][cli]") {
  TempDir dir;
  {
    std::ofstream(dir / "boards.json") << R"({"boards": [{"id": "x", "uri": "udp://127.0.0.1:1337", "stands_for": "nope"}]})";
  }
  Cli r = run_fleetsim("hil probe x --boards " + shell_quote(dir / "boards.json"));
  CHECK(r.exit_code == 2);
  CHECK(r.output.find(dir / "boards.json" + ": /boards/0/stands_for: unknown device model \"nope\"") != std::string::npos);
}

TEST_CASE("fleetsim hil refuses SMP operations on an agent board with exit 2 naming it", "[hil][inventory][cli]") {
  TempDir dir;
  {
    std::ofstream(dir / "boards.json") << R"({"boards": [{"id": "gw-1", "agent": "swupdate", "stands_for": "eth-gateway"}]})";
  }
  Cli r = run_fleetsim("hil state gw-1 --boards " + shell_quote(dir / "boards.json"));
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("state is an SMP operation; board \"gw-1\" is a swupdate agent board (expected probe or flash)") !=
        std::string::npos);
}
