// The whole update flow against the real fleetsim-board over UDP and over a pty, with the
// emulator's fault switches: a good image, a boot failure, a lost confirm, a board that does not
// come back, a board nobody answers for.
#include <catch2/catch.hpp>

#include "hil/board/board_update.hpp"
#include "hil/transport/transport_uri.hpp"
#include "hil/transport/udp_smp_client.hpp"
#include "tests/hil/flashed_board.hpp"
#include "tests/hil/started_board.hpp"

using namespace fleetsim::hil;
using namespace fleetsim::testing;
using namespace std::chrono_literals;

namespace {

Flashed flash(const std::string& uri, ImageVersion version, BoardUpdateOptions options = {}) {
  auto transport = open_transport(parse_transport_uri(uri).value(), TransportTiming{500ms, 4});
  SmpClient client(*transport);
  return flash_image(client, version, 12000, options);
}

std::vector<std::string> step_names(const BoardUpdateReport& r) {
  std::vector<std::string> names;
  for (const auto& s : r.steps) names.push_back(s.name);
  return names;
}

}  // namespace

TEST_CASE("a good image over UDP is uploaded, verified, tested, swapped in, probed and confirmed", "[hil][update]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.3"});
  Flashed f = flash(board.uri, ImageVersion{1, 1, 0, 0});
  INFO(f.report.detail());
  CHECK(f.report.outcome == BoardUpdateOutcome::Updated);
  CHECK(f.report.from_version == "1.0.0");  // the emulator's initial image
  CHECK(f.report.to_version == "1.1.0");
  CHECK(step_names(f.report) ==
        std::vector<std::string>{"health", "upload", "verify", "test", "reset", "wait", "state", "probe", "confirm"});
  // The board was silent for its 0.3 s reset time, so the wait took at least that long.
  CHECK(f.report.step_seconds("wait") >= 0.25);
  CHECK(f.report.reset_to_ready_seconds >= 0.3);
  const SlotState* running = f.after.slot(0);
  REQUIRE(running);
  CHECK(running->version == "1.1.0");
  CHECK(running->confirmed);
}

TEST_CASE("a good image over the pty updates the board the same way", "[hil][update]") {
  StartedBoard board(BoardLink::Pty, {"--reset-time", "0.3"});
  Flashed f = flash(board.uri, ImageVersion{1, 2, 0, 0});
  INFO(f.report.detail());
  CHECK(f.report.outcome == BoardUpdateOutcome::Updated);
  REQUIRE(f.after.slot(0));
  CHECK(f.after.slot(0)->version == "1.2.0");
  CHECK(f.after.slot(0)->confirmed);
}

TEST_CASE("an image the board cannot boot is reported as rolled back to the old version", "[hil][update]") {
  StartedBoard board(BoardLink::Pty, {"--reset-time", "0.2", "--boot-fail", "1.3.0"});
  Flashed f = flash(board.uri, ImageVersion{1, 3, 0, 0});
  INFO(f.report.detail());
  CHECK(f.report.outcome == BoardUpdateOutcome::RolledBack);
  CHECK(f.report.message.find("MCUboot reverted to 1.0.0") != std::string::npos);
  REQUIRE(f.after.slot(0));
  CHECK(f.after.slot(0)->version == "1.0.0");
  CHECK(f.after.slot(0)->confirmed);
}

TEST_CASE("a confirm the board does not keep is detected by the revert on the next reset", "[hil][update]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2", "--no-confirm"});
  Flashed f = flash(board.uri, ImageVersion{1, 4, 0, 0});
  INFO(f.report.detail());
  CHECK(f.report.outcome == BoardUpdateOutcome::RolledBack);
  CHECK(f.report.message.find("did not persist") != std::string::npos);
  // Two resets: the swap to 1.4.0 and the check that shows it does not stay.
  CHECK(std::count_if(f.report.steps.begin(), f.report.steps.end(), [](auto& s) { return s.name == "reset"; }) == 2);
  REQUIRE(f.after.slot(0));
  CHECK(f.after.slot(0)->version == "1.0.0");
}

TEST_CASE("a board that stays silent after the reset is an infrastructure failure, after trying its recovery hook",
          "[hil][update]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "5"});
  int recoveries = 0;
  BoardUpdateOptions options;
  options.reboot_timeout = 600ms;
  options.recover = [&] {
    ++recoveries;
    return true;
  };
  const auto start = std::chrono::steady_clock::now();
  Flashed f = flash(board.uri, ImageVersion{1, 5, 0, 0}, options);
  INFO(f.report.detail());
  CHECK(f.report.outcome == BoardUpdateOutcome::Infrastructure);
  CHECK(f.report.message.find("did not answer") != std::string::npos);
  CHECK(recoveries == 1);
  CHECK(std::chrono::steady_clock::now() - start < 4s);  // two 0.6 s waits, not the 5 s reset
}

TEST_CASE("a board nobody answers for is an infrastructure failure found by the health check", "[hil][update]") {
  // A port on loopback with no listener: every request times out.
  int port = 0;
  {
    StartedBoard board(BoardLink::Udp);
    port = parse_transport_uri(board.uri).value().port;
    REQUIRE(board.process->terminate(5s) == 0);
  }
  auto transport = std::make_unique<UdpSmpClient>("127.0.0.1", std::uint16_t(port), 1500, TransportTiming{100ms, 2});
  SmpClient client(*transport);
  const auto image = build_mcuboot_image({ImageVersion{1, 6, 0, 0}, 1000});
  const auto report = update_board(client, image, parse_mcuboot_image(image).value());
  CHECK(report.outcome == BoardUpdateOutcome::Infrastructure);
  CHECK(report.message.find("board unhealthy before the update: echo") != std::string::npos);
  CHECK(step_names(report) == std::vector<std::string>{"health"});
}
