// `fleetsim hil state|reset|confirm|erase BOARD` against a real fleetsim-board: the recovery actions
// the known-state step also takes, by hand.
#include <catch2/catch.hpp>

#include "hil/board/board_update.hpp"
#include "hil/transport/transport_uri.hpp"
#include "tests/hil/hil_scenarios.hpp"
#include "tests/hil/started_board.hpp"

using namespace fleetsim::hil;
using namespace fleetsim::testing;

namespace {

// Uploads an image of 2.0.0 to slot 1 and marks it for test: a test image pending in slot 1.
void leave_pending(const std::string& uri) {
  auto transport = open_transport(parse_transport_uri(uri).value());
  SmpClient client(*transport);
  const auto image = build_mcuboot_image({ImageVersion{2, 0, 0, 0}, 20000});
  REQUIRE(client.upload(image, 1024));
  REQUIRE(client.test(parse_mcuboot_image(image).value().hash));
}

}  // namespace

TEST_CASE("hil state, reset, confirm and erase walk a board from a pending test image back to a known state",
          "[hil][cli][recovery]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2"});
  TempDir dir;
  std::ofstream(dir / "boards.json") << R"({"boards": [{"id": "emu-1", "uri": ")" << board.uri
                                     << R"(", "stands_for": "nbiot-meter"}]})";
  const std::string on = " emu-1 --boards " + shell_quote(dir / "boards.json");
  leave_pending(board.uri);

  const Cli state = run_fleetsim("hil state" + on);
  INFO(state.output);
  CHECK(state.exit_code == 0);
  CHECK(state.output.find("emu-1 (" + board.uri + "):") != std::string::npos);
  CHECK(state.output.find("slot 0  1.0.0        active,confirmed,bootable") != std::string::npos);
  CHECK(state.output.find("slot 1  2.0.0        pending,bootable") != std::string::npos);
  CHECK(state.output.find("state: a test image pending in slot 1 (to recover: erase slot 1") != std::string::npos);

  // The emulator, like Zephyr without CONFIG_MCUMGR_GRP_IMG_ALLOW_ERASE_PENDING, refuses to erase
  // a pending slot: exit 3, naming the board and the SMP error.
  const Cli erase = run_fleetsim("hil erase" + on);
  INFO(erase.output);
  CHECK(erase.exit_code == 3);
  CHECK(erase.output.find("board emu-1 (" + board.uri + "): erase slot 1: board answered group 1 rc 9 NO_FREE_SLOT") !=
        std::string::npos);

  // Reset: MCUboot swaps in the test image, which runs unconfirmed.
  const Cli reset = run_fleetsim("hil reset" + on + " --reboot-timeout 5");
  INFO(reset.output);
  CHECK(reset.exit_code == 0);
  CHECK(reset.output.find("slot 0  2.0.0        active,bootable") != std::string::npos);
  CHECK(reset.output.find("state: running an unconfirmed test image") != std::string::npos);

  // A second reset reverts it: 1.0.0 runs confirmed, 2.0.0 stays in slot 1 neither pending nor
  // confirmed, and can be erased now.
  const Cli revert = run_fleetsim("hil reset" + on + " --reboot-timeout 5");
  INFO(revert.output);
  CHECK(revert.exit_code == 0);
  CHECK(revert.output.find("slot 0  1.0.0        active,confirmed,bootable") != std::string::npos);
  CHECK(revert.output.find("state: known state") != std::string::npos);
  const Cli erased = run_fleetsim("hil erase" + on);
  INFO(erased.output);
  CHECK(erased.exit_code == 0);
  CHECK(erased.output.find("slot 1  empty") != std::string::npos);
}

TEST_CASE("hil confirm keeps an unconfirmed test image", "[hil][cli][recovery]") {
  StartedBoard board(BoardLink::Pty, {"--reset-time", "0.2"});
  leave_pending(board.uri);
  REQUIRE(run_fleetsim("hil reset " + shell_quote(board.uri) + " --reboot-timeout 5").exit_code == 0);
  const Cli confirm = run_fleetsim("hil confirm " + shell_quote(board.uri));
  INFO(confirm.output);
  CHECK(confirm.exit_code == 0);
  CHECK(confirm.output.find("confirmed 2.0.0") != std::string::npos);
  CHECK(confirm.output.find("slot 0  2.0.0        active,confirmed,bootable") != std::string::npos);
}

TEST_CASE("hil confirm on a board that does not persist it, and recovery of an unreachable board, exit 3 naming the "
          "board",
          "[hil][cli][recovery]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2", "--no-confirm"});
  leave_pending(board.uri);
  REQUIRE(run_fleetsim("hil reset " + shell_quote(board.uri) + " --reboot-timeout 5").exit_code == 0);
  const Cli confirm = run_fleetsim("hil confirm " + shell_quote(board.uri));
  INFO(confirm.output);
  CHECK(confirm.exit_code == 3);
  CHECK(confirm.output.find("board " + board.uri + " acknowledged the confirm but slot 0 is not confirmed") !=
        std::string::npos);

  std::string gone;
  {
    StartedBoard dead(BoardLink::Udp);
    gone = dead.uri;
  }
  const Cli state = run_fleetsim("hil state " + shell_quote(gone));
  CHECK(state.exit_code == 3);
  CHECK(state.output.find("board " + gone + ": image state read: no response from " + gone) != std::string::npos);
  const Cli help = run_fleetsim("hil --help");
  CHECK(help.output.find("fleetsim hil erase BOARD") != std::string::npos);
  CHECK(help.output.find("MCUboot then swaps in a pending test image, or reverts an unconfirmed one") !=
        std::string::npos);
}
