// The known-state step before a gate (README "Hardware in the loop", known state) and `hil flash`'s
// recovery, against real fleetsim-board processes on 127.0.0.1 and ptys: boards left half-updated
// by an interrupted run, boards already on the target, a baseline image.
#include <catch2/catch.hpp>

#include "hil/board/known_state.hpp"
#include "hil/transport/transport_uri.hpp"
#include "tests/hil/hil_scenarios.hpp"
#include "tests/hil/started_board.hpp"

using namespace fleetsim::hil;
using namespace fleetsim::testing;
using namespace std::chrono_literals;

namespace {

std::vector<std::uint8_t> bytes_of(const std::string& path) {
  const std::string s = slurp(path);
  return std::vector<std::uint8_t>(s.begin(), s.end());
}

// Leaves the board at `uri` as an interrupted update does: `image` uploaded and marked for test
// (stopped before the reset: a test image pending in slot 1), and with `reset` also rebooted into
// it (stopped during the post-reset wait: the test image runs, unconfirmed). Checks the slots.
void leave_half_updated(const std::string& uri, const std::string& image, bool reset) {
  auto transport = open_transport(parse_transport_uri(uri).value());
  SmpClient client(*transport);
  const auto bytes = bytes_of(image);
  const auto info = parse_mcuboot_image(bytes);
  REQUIRE(info);
  auto params = client.params();
  REQUIRE(params);
  REQUIRE(client.upload(bytes, params.value().buf_size));
  REQUIRE(client.test(info.value().hash));
  if (reset) {
    BoardUpdateOptions options;
    options.reboot_timeout = 10s;
    REQUIRE(reset_board(client, options).back);
  }
  auto state = client.state_read();
  REQUIRE(state);
  const SlotState* running = state.value().slot(0);
  REQUIRE(running);
  if (reset) {
    CHECK(running->version == info.value().version.text());
    CHECK_FALSE(running->confirmed);
  } else {
    REQUIRE(state.value().slot(1));
    CHECK(state.value().slot(1)->pending);
  }
}

Cli run_gate(const TempDir& dir, const std::string& scenario, const std::string& boards) {
  return run_fleetsim("run " + shell_quote(scenario) + " --boards " + shell_quote(boards) + " --out " +
                      shell_quote(dir / "out"));
}

}  // namespace

TEST_CASE("boards left on an unconfirmed test image by a cancelled gate are recovered and the next gate of the same "
          "good build passes",
          "[hil][known-state]") {
  // A SIGINT during the post-reset wait leaves each board running 2.0.0 unconfirmed, with 1.0.0 in
  // slot 1 for the revert. Before the known-state step the next gate found them healthy and every
  // upload failed with NO_FREE_SLOT: exit 1, a firmware failure for a good build.
  StartedBoard udp(BoardLink::Udp, {"--reset-time", "0.3"}), pty(BoardLink::Pty, {"--reset-time", "0.3"});
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 300, "2.0.0");
  leave_half_updated(udp.uri, dir / "image.bin", true);
  leave_half_updated(pty.uri, dir / "image.bin", true);
  const Cli r = run_gate(dir, scenario, write_boards(dir, {udp.uri, pty.uri}));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("NO_FREE_SLOT") == std::string::npos);
  // Each board was reset (MCUboot reverted the unconfirmed 2.0.0 to 1.0.0), then really updated.
  CHECK(r.output.find("hil: b0 (" + udp.uri + ") healthy, reset (revert the unconfirmed 2.0.0); now on 1.0.0, "
                      "confirmed") != std::string::npos);
  CHECK(r.output.find("hil: b1 (") != std::string::npos);
  CHECK(r.output.find("PASS board b0 update to 2.0.0") != std::string::npos);
  CHECK(r.output.find("PASS board b1 update to 2.0.0") != std::string::npos);
  CHECK(r.output.find("rollout completed: 300 of 300 devices on 2.0.0") != std::string::npos);
  const std::string checks = slurp(dir / "out/checks.json");
  CHECK(checks.find("updated 1.0.0 → 2.0.0") != std::string::npos);
}

TEST_CASE("a test image left pending in slot 1 by a gate stopped before its reset is cleared and the gate passes",
          "[hil][known-state]") {
  StartedBoard udp(BoardLink::Udp, {"--reset-time", "0.2"});
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 10, "2.0.0", 1);
  leave_half_updated(udp.uri, dir / "image.bin", false);
  const Cli r = run_gate(dir, scenario, write_boards(dir, {udp.uri}));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  // The emulator refuses to erase a pending slot (as Zephyr does by default): reset boots the test
  // image unconfirmed, a second reset reverts it.
  CHECK(r.output.find("reset (boot the pending image so that it can be reverted); reset (revert the unconfirmed "
                      "2.0.0); now on 1.0.0, confirmed") != std::string::npos);
  CHECK(r.output.find("PASS board b0 update to 2.0.0") != std::string::npos);
}

TEST_CASE("hil flash recovers a board left on an unconfirmed test image instead of failing with NO_FREE_SLOT",
          "[hil][known-state][cli]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2"});
  TempDir dir;
  const std::string image = write_image_file(dir, "app.bin", {2, 0, 0, 0}, 30000);
  leave_half_updated(board.uri, image, true);
  const Cli r = run_fleetsim("hil flash " + shell_quote(board.uri) + " " + shell_quote(image) + " --reboot-timeout 5");
  INFO(r.output);
  CHECK(r.exit_code == 0);  // before: 1, "install_failed: upload: … NO_FREE_SLOT"
  CHECK(r.output.find("known state: reset (revert the unconfirmed 2.0.0); now on 1.0.0, confirmed") !=
        std::string::npos);
  CHECK(r.output.find("updated: updated 1.0.0 → 2.0.0") != std::string::npos);
}

TEST_CASE("a rerun on boards already on the target refuses with exit 3 without a baseline and exercises the upgrade "
          "with one",
          "[hil][known-state]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2"});
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 10, "2.0.0", 1);
  const std::string boards = write_boards(dir, {board.uri});
  REQUIRE(run_gate(dir, scenario, boards).exit_code == 0);  // the board now runs 2.0.0, confirmed

  // Before: the rerun passed in a fraction of a second with no upload ("already runs 2.0.0").
  const Cli refused = run_gate(dir, scenario, boards);
  INFO(refused.output);
  CHECK(refused.exit_code == 3);
  CHECK(refused.output.find("board b0 (" + board.uri + ") runs 2.0.0, but device ") != std::string::npos);
  CHECK(refused.output.find(" it stands for starts on 1.0.0") != std::string::npos);
  CHECK(refused.output.find("\"baseline\"") != std::string::npos);

  // With a baseline of 1.0.0 the board is flashed back to it, then the gate uploads 2.0.0 again.
  write_image_file(dir, "base.bin", {1, 0, 0, 0}, 20000);
  Doc doc = Doc::parse(slurp(scenario));
  doc["hil"]["baseline"] = "base.bin";
  std::ofstream(dir / "with-baseline.json") << doc.dump(2);
  const Cli again = run_gate(dir, dir / "with-baseline.json", boards);
  INFO(again.output);
  CHECK(again.exit_code == 0);
  CHECK(again.output.find("flashed the baseline 1.0.0 over 2.0.0; now on 1.0.0, confirmed") != std::string::npos);
  const std::string checks = slurp(dir / "out/checks.json");
  CHECK(checks.find("updated 1.0.0 → 2.0.0") != std::string::npos);
  CHECK(checks.find("upload") != std::string::npos);
}

TEST_CASE("classify_board names each slot condition the known-state step recovers from", "[hil][known-state]") {
  auto slot = [](int n, const char* version, bool confirmed, bool pending = false) {
    SlotState s;
    s.slot = n;
    s.version = version;
    s.active = n == 0;
    s.confirmed = confirmed;
    s.pending = pending;
    return s;
  };
  CHECK(classify_board(ImageState{{slot(0, "1.0.0", true)}}, "1.0.0") == BoardCondition::Known);
  CHECK(classify_board(ImageState{{slot(0, "1.0.0", true)}}, "") == BoardCondition::Known);
  CHECK(classify_board(ImageState{{slot(0, "1.0.0", true)}}, "1.0.0+0") == BoardCondition::Known);
  CHECK(classify_board(ImageState{{slot(0, "2.0.0", true)}}, "1.0.0") == BoardCondition::OtherVersion);
  CHECK(classify_board(ImageState{{slot(0, "1.0.0", true), slot(1, "2.0.0", false, true)}}, "1.0.0") ==
        BoardCondition::Slot1Pending);
  CHECK(classify_board(ImageState{{slot(0, "2.0.0", false), slot(1, "1.0.0", true)}}, "1.0.0") ==
        BoardCondition::RunningUnconfirmed);
  CHECK(classify_board(ImageState{{slot(0, "1.0.0", true), slot(1, "0.9.0", true)}}, "1.0.0") ==
        BoardCondition::Slot1InUse);
  CHECK(classify_board(ImageState{}, "1.0.0") == BoardCondition::NoImage);
}
