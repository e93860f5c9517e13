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
  const std::string text = r.format("boards.json");
  INFO(text);
  CHECK(text.find("boards.json: /boards/0/uri: \"tcp://1.2.3.4\" is not a board URI") != std::string::npos);
  CHECK(text.find("boards.json: /boards/0/stands_for: unknown device model \"toaster\" (expected one of eth-gateway, "
                  "nbiot-meter)") != std::string::npos);
  CHECK(text.find("boards.json: /boards/1/id: duplicate board id \"a\"") != std::string::npos);
  CHECK(text.find("boards.json: /boards/2: missing required key \"id\"") != std::string::npos);
  CHECK(text.find("boards.json: /boards/2/power_off: expected an argv array") != std::string::npos);
  CHECK(text.find("boards.json: /boards/2/colour: unknown key") != std::string::npos);
  CHECK(text.find("boards.json: /boards/3: power_off and power_on go together") != std::string::npos);
  CHECK(r.problems.size() == 7);
}

TEST_CASE("a boards.json that is not JSON or has no boards is rejected", "[hil][inventory]") {
  CHECK(load_board_inventory_text("{\"boards\": [", kModels).problems.at(0).message.find("not valid JSON") == 0);
  auto empty = load_board_inventory_text(R"({"boards": []})", kModels);
  REQUIRE(empty.problems.size() == 1);
  CHECK(empty.problems[0].pointer == "/boards");
  auto missing = load_board_inventory_text(R"({"board": []})", kModels);
  CHECK(missing.problems.size() == 2);  // the unknown key "board" and the missing "boards"
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
