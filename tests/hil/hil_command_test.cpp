// `fleetsim hil probe|flash|calibrate` against real fleetsim-board processes.
#include <catch2/catch.hpp>
#include <fstream>

#include "hil/protocol/mcuboot_image.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/hil/hil_scenarios.hpp"
#include "tests/hil/started_board.hpp"
#include "tests/test_scenarios.hpp"

using namespace fleetsim::hil;
using namespace fleetsim::testing;

namespace {

std::string write_image(const TempDir& dir, const std::string& name, ImageVersion version, bool bad_magic = false) {
  return write_image_file(dir, name, version, 30000, bad_magic);
}

}  // namespace

TEST_CASE("hil probe reports a healthy board reached by its URI", "[hil][cli]") {
  StartedBoard board(BoardLink::Udp);
  Cli r = run_fleetsim("hil probe " + shell_quote(board.uri));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("healthy") != std::string::npos);
  CHECK(r.output.find("running 1.0.0") != std::string::npos);
  CHECK(r.output.find("slot 0  1.0.0        active,confirmed") != std::string::npos);
}

TEST_CASE("hil probe finds a board by its id in boards.json", "[hil][cli]") {
  StartedBoard board(BoardLink::Pty);
  TempDir dir;
  std::ofstream(dir / "boards.json") << R"({"boards": [{"id": "bench-pty", "uri": ")" << board.uri
                                     << R"(", "stands_for": "nbiot-meter"}]})";
  Cli r = run_fleetsim("hil probe bench-pty --boards " + shell_quote(dir / "boards.json"));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("bench-pty (serial://") != std::string::npos);
  Cli missing = run_fleetsim("hil probe other --boards " + shell_quote(dir / "boards.json"));
  CHECK(missing.exit_code == 2);
  CHECK(missing.output.find("no board \"other\"") != std::string::npos);
  CHECK(missing.output.find("(boards: bench-pty)") != std::string::npos);
}

TEST_CASE("hil probe of a board nobody answers for exits 3", "[hil][cli]") {
  std::string uri;
  {
    StartedBoard board(BoardLink::Udp);
    uri = board.uri;
  }  // the board process is gone: its port has no listener
  Cli r = run_fleetsim("hil probe " + shell_quote(uri));
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("unhealthy: echo: no response from " + uri) != std::string::npos);
}

TEST_CASE("hil flash updates a board with a good image and exits 0", "[hil][cli]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2"});
  TempDir dir;
  Cli r = run_fleetsim("hil flash " + shell_quote(board.uri) + " " + shell_quote(write_image(dir, "good.bin", {2, 0, 0, 0})));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("updated: updated 1.0.0 → 2.0.0") != std::string::npos);
  for (const char* step : {"upload", "verify", "test", "reset", "wait", "state", "probe", "confirm"})
    CHECK(r.output.find(std::string("  ") + step) != std::string::npos);
}

TEST_CASE("hil flash of an image the board reverts exits 1", "[hil][cli]") {
  StartedBoard board(BoardLink::Pty, {"--reset-time", "0.2", "--boot-fail", "2.0.0"});
  TempDir dir;
  Cli r = run_fleetsim("hil flash " + shell_quote(board.uri) + " " + shell_quote(write_image(dir, "bad.bin", {2, 0, 0, 0})));
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("rolled_back: MCUboot reverted to 1.0.0") != std::string::npos);
}

TEST_CASE("hil flash refuses a file that is not an MCUboot image before touching the board", "[hil][cli]") {
  TempDir dir;
  // No board at all: the image is checked first.
  Cli r = run_fleetsim("hil flash udp://127.0.0.1:9 " + shell_quote(write_image(dir, "x.bin", {1, 0, 0, 0}, true)));
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("not a valid MCUboot image") != std::string::npos);
}

TEST_CASE("hil calibrate writes measured upload rate, reset-to-ready and health-check time as model parameters",
          "[hil][cli]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.3"});
  TempDir dir;
  Cli r = run_fleetsim("hil calibrate " + shell_quote(board.uri) + " " +
                       shell_quote(write_image(dir, "img.bin", {3, 0, 0, 0})) + " --rounds 2 --out " +
                       shell_quote(dir / "params.json"));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto params = Doc::parse(slurp(dir / "params.json"));
  // The parameters drop into a device model: the loader accepts them in place of the minimal
  // model's link downlink and phases.
  Doc model = minimal_model();
  model["link"]["downlink"] = params["link"]["downlink"];
  model["phases"]["reboot"] = params["phases"]["reboot"];
  model["phases"]["health_check"] = params["phases"]["health_check"];
  std::vector<fleetsim::Problem> problems;
  auto parsed = fleetsim::parse_device_model(model, "/m", problems);
  INFO(params.dump());
  REQUIRE(parsed);
  // The board is silent for 0.3 s after each reset, so reset-to-ready is at least that.
  CHECK(parsed->reboot.mean() >= 0.3);
  CHECK(parsed->reboot.mean() < 5.0);
  CHECK(parsed->downlink.mean() > 0);
  CHECK(parsed->health_check.mean() > 0);
  CHECK(params["sources"]["link.downlink"].get<std::string>().find("2 round(s)") != std::string::npos);
}

TEST_CASE("hil usage errors exit 2 and say what is expected", "[hil][cli]") {
  CHECK(run_fleetsim("hil").exit_code == 2);
  Cli unknown = run_fleetsim("hil wipe udp://127.0.0.1:1");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.output.find("expected probe, flash, calibrate, state, reset, confirm or erase") != std::string::npos);
  Cli no_image = run_fleetsim("hil flash udp://127.0.0.1:1");
  CHECK(no_image.exit_code == 2);
  CHECK(no_image.output.find("flash takes BOARD IMAGE") != std::string::npos);
  Cli help = run_fleetsim("hil --help");
  CHECK(help.exit_code == 0);
  CHECK(help.output.find("calibrate BOARD IMAGE") != std::string::npos);
}
