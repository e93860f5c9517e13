// The bridge's update flow (README "Hardware in the loop") against the real fleetsim-board started
// with its fault switches (README "The board emulator"): power cut mid-upload and restart, lost
// requests, damaged serial replies, an app that fails the health probe, slow flash. Real processes
// on 127.0.0.1 and real pseudo-terminals; every wait is bounded.
#include <catch2/catch.hpp>
#include <regex>

#include "hil/board/board_update.hpp"
#include "hil/transport/serial_smp_client.hpp"
#include "hil/transport/transport_uri.hpp"
#include "hil/transport/udp_smp_client.hpp"
#include "tests/hil/flashed_board.hpp"
#include "tests/hil/hil_scenarios.hpp"
#include "tests/hil/started_board.hpp"

using namespace fleetsim::hil;
using namespace fleetsim::testing;
using namespace std::chrono_literals;

namespace {

// The update ended with `version` running in slot 0, confirmed.
void check_updated_to(const Flashed& f, const std::string& version) {
  INFO(f.report.message << "\n" << f.report.detail());
  CHECK(f.report.outcome == BoardUpdateOutcome::Updated);
  const SlotState* running = f.after.slot(0);
  REQUIRE(running);
  CHECK(running->version == version);
  CHECK(running->confirmed);
}

}  // namespace

TEST_CASE("a board that loses power mid-upload is an infrastructure failure and after its restart the flash resumes "
          "from the board's offset",
          "[hil][faults]") {
  TempDir dir;
  const std::string image = write_image_file(dir, "app.bin", {2, 0, 0, 0}, 40000);
  const std::size_t size = slurp(image).size();
  constexpr std::size_t kCut = 20000;  // the board stores bytes [0, 20000) and dies
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2", "--die-at-offset", std::to_string(kCut)});

  // The write crossing byte 20000 is never answered: 4 attempts of 1 s (the CLI's default
  // timing), then the flash gives up as an unreachable board, not as a firmware failure.
  Cli first = run_fleetsim("hil flash " + shell_quote(board.uri) + " " + shell_quote(image) + " --reboot-timeout 5");
  INFO(first.output);
  CHECK(first.exit_code == 3);
  CHECK(first.output.find("infrastructure: upload: no response from " + board.uri) != std::string::npos);
  CHECK(board.process->wait_exit(5s) == std::optional<int>(4));  // the emulator's power-cut status

  // Restarted on the same port and state directory, without the fault.
  const std::string address = board.uri.substr(std::string("udp://").size());
  BoardProcess restarted({"--udp", address, "--state-dir", board.state.path.string(), "--reset-time", "0.2"});
  REQUIRE(restarted.read_line(10s) == "fleetsim-board: listening on udp " + address);

  Cli second = run_fleetsim("hil flash " + shell_quote(board.uri) + " " + shell_quote(image) + " --reboot-timeout 5");
  INFO(second.output);
  CHECK(second.exit_code == 0);
  CHECK(second.output.find("updated: updated 1.0.0 → 2.0.0") != std::string::npos);
  CHECK(second.output.find(", resumed") != std::string::npos);
  // Only the bytes from the board's offset count as sent: size - 20000 of them.
  CHECK(second.output.find("upload: " + std::to_string(size - kCut) + " bytes from offset 20000 in") !=
        std::string::npos);
  std::smatch m;
  const std::string out = second.output;
  REQUIRE(std::regex_search(out, m, std::regex(R"((\d+) requests, chunks of <= (\d+) bytes)")));
  const std::size_t requests = std::stoul(m[1]), chunk = std::stoul(m[2]);
  // The first chunk (offset 0, the file's SHA-256) is answered with 20000; from there the
  // remaining size - 20000 bytes go in full chunks: 1 + ceil((size - 20000) / chunk) requests.
  // An upload from 0 would need at least ceil(size / chunk) of them.
  const std::size_t resumed = 1 + (size - kCut + chunk - 1) / chunk;
  CHECK(requests == resumed);
  CHECK(requests < (size + chunk - 1) / chunk);

  Cli probe = run_fleetsim("hil probe " + shell_quote(board.uri));
  CHECK(probe.output.find("slot 0  2.0.0        active,confirmed") != std::string::npos);
  CHECK(restarted.terminate(5s) == std::optional<int>(0));
}

TEST_CASE("an update through a board that drops 20 % of the requests completes by retransmission", "[hil][faults]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2", "--drop", "0.2", "--seed", "7"});
  const auto uri = parse_transport_uri(board.uri).value();
  // A request goes unanswered after 12 attempts with probability 0.2^12 ≈ 4e-9.
  UdpSmpClient transport(uri.host, uri.port, 1500, TransportTiming{200ms, 12});
  SmpClient client(transport);
  check_updated_to(flash_image(client, ImageVersion{2, 1, 0, 0}, 40000), "2.1.0");
  // About 40 requests (28 upload chunks of ≤ 1450 bytes plus health, verify, test, reset,
  // probe, confirm): none dropped has probability 0.8^40 ≈ 1e-4.
  CHECK(transport.retransmissions() > 0);
}

TEST_CASE("an update over a pty whose replies are damaged 20 % of the time completes", "[hil][faults]") {
  StartedBoard board(BoardLink::Pty, {"--reset-time", "0.2", "--corrupt", "0.2", "--seed", "3"});
  const auto uri = parse_transport_uri(board.uri).value();
  SerialSmpClient transport(uri.path, 115200, TransportTiming{300ms, 12});
  SmpClient client(transport);
  check_updated_to(flash_image(client, ImageVersion{2, 2, 0, 0}, 12000), "2.2.0");
  // Packets of at most 384 bytes (the emulator's pty buf_size) carry about 350 data bytes:
  // about 35 upload replies plus ~10 others, each damaged with probability 0.2; none damaged
  // has probability 0.8^45 ≈ 4e-5. A damaged reply (bad CRC) is skipped and the request sent
  // again, so the update got through real damage.
  CHECK(transport.damaged_frames() > 0);
}

TEST_CASE("an image whose app fails the health probe after the reset is not confirmed, reverts, and hil flash exits 1",
          "[hil][faults]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2", "--echo-fail-after-boot"});
  TempDir dir;
  Cli r = run_fleetsim("hil flash " + shell_quote(board.uri) + " " +
                       shell_quote(write_image_file(dir, "app.bin", {2, 3, 0, 0}, 12000)) + " --reboot-timeout 5");
  INFO(r.output);
  // A firmware failure (exit 1), not an unreachable board (3): the board answered the probe,
  // with rc 1.
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("rolled_back: 2.3.0 failed the health probe (board answered") != std::string::npos);
  CHECK(r.output.find("reset to revert") != std::string::npos);
  // No confirm was sent, so the reset brought the old image back.
  CHECK(r.output.find("  confirm") == std::string::npos);
  Cli probe = run_fleetsim("hil probe " + shell_quote(board.uri));
  CHECK(probe.output.find("slot 0  1.0.0        active,confirmed") != std::string::npos);
}

TEST_CASE("an upload to a board flashing at 20000 B/s takes at least size / 20000 s", "[hil][faults]") {
  constexpr double kRate = 20000;  // bytes per second
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2", "--flash-rate", "20000"});
  auto transport = open_transport(parse_transport_uri(board.uri).value());
  SmpClient client(*transport);
  const Flashed f = flash_image(client, ImageVersion{2, 4, 0, 0}, 40000);
  check_updated_to(f, "2.4.0");
  // Every byte is written once and each write holds its reply for bytes / rate: the upload
  // takes at least size / 20000 ≈ 2 s (a lower bound only; a loaded machine is slower).
  REQUIRE(f.report.upload.total > 40000);
  CHECK(f.report.upload_seconds >= double(f.report.upload.total) / kRate);
}
