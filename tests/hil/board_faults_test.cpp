// The fault switches of the real fleetsim-board binary (README "The board emulator"), each over a
// real UDP socket on loopback or a real pseudo-terminal. Every wait is bounded; timing checks are
// lower bounds.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hil/protocol/serial_framing.hpp"
#include "hil/protocol/smp_packet.hpp"
#include "tests/cli_runner.hpp"
#include "tests/hil/board_pty_client.hpp"
#include "tests/hil/board_state.hpp"
#include "tests/hil/board_udp_client.hpp"

using fleetsim::hil::ImageVersion;
using fleetsim::hil::SerialFrameError;
using fleetsim::hil::SmpDecodeError;
using fleetsim::hil::SmpHeader;
using fleetsim::hil::SmpOp;
using fleetsim::hil::SmpPacket;
using fleetsim::testing::BoardPtyClient;
using fleetsim::testing::BoardUdpClient;
using fleetsim::testing::hash_of;
using fleetsim::testing::make_image;
using fleetsim::testing::PtyBoard;
using fleetsim::testing::run_program;
using fleetsim::testing::shell_quote;
using fleetsim::testing::slot_entry;
using fleetsim::testing::slurp;
using fleetsim::testing::TempDir;
using fleetsim::testing::tlv_hash;
using fleetsim::testing::UdpBoard;
using fleetsim::testing::upload_request;
using json = nlohmann::json;
using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

namespace {

json echo_request(const std::string& text) { return {{"d", text}}; }

// Sends `n` echoes one after the other and returns the seqs that got an answer. Each request
// waits up to 40 ms for its reply; a reply arriving later is still counted (by seq) while the
// next requests wait, or at the end, until 500 ms pass without one.
std::set<std::uint8_t> answered_echoes(BoardUdpClient& client, int n) {
  std::set<std::uint8_t> answered;
  auto record = [&](const Bytes& datagram) {
    const auto reply = SmpPacket::decode(datagram);
    REQUIRE(reply.ok());
    answered.insert(reply.value().header.seq);
  };
  for (int i = 0; i < n; ++i) {
    const std::uint8_t seq = client.send_request(SmpOp::Write, 0, 0, echo_request("x"));
    const auto deadline = std::chrono::steady_clock::now() + 40ms;
    while (!answered.count(seq)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      if (const auto datagram = client.receive(left)) record(*datagram);
    }
  }
  while (const auto datagram = client.receive(500ms)) record(*datagram);
  return answered;
}

// Waits until the board answers a state read again after a reset (at most 10 s).
json state_once_back(BoardUdpClient& client) {
  for (int i = 0; i < 40; ++i) {
    if (auto s = client.call_once(SmpOp::Read, 1, 0, json::object(), 250ms)) return *s;
  }
  FAIL("the board did not come back after the reset");
  return nullptr;
}

}  // namespace

TEST_CASE("fleetsim-board --help documents every fault switch", "[board][faults]") {
  const auto r = run_program(FLEETSIM_BOARD_BIN, "--help");
  CHECK(r.exit_code == 0);
  for (const char* option : {"--drop RATE", "--corrupt RATE", "--seed N", "--die-at-offset N",
                             "--flash-rate BYTES/S", "--echo-fail-after-boot", "--boot-fail",
                             "--no-confirm", "--reset-time"}) {
    INFO(option);
    CHECK(r.output.find(option) != std::string::npos);
  }
}

TEST_CASE("fleetsim-board rejects bad fault switch values with exit 2 naming the switch",
          "[board][faults]") {
  TempDir dir;
  const std::string base = "--udp 127.0.0.1:0 --state-dir " + shell_quote(dir / "s") + " ";
  const std::pair<const char*, const char*> cases[] = {
      {"--drop -0.1", "--drop: expected a fraction between 0 and 1, got '-0.1'"},
      {"--drop 1.5", "--drop: expected a fraction between 0 and 1, got '1.5'"},
      {"--drop half", "--drop: expected a fraction between 0 and 1, got 'half'"},
      {"--corrupt 2", "--corrupt: expected a fraction between 0 and 1, got '2'"},
      {"--corrupt nan", "--corrupt: expected a fraction between 0 and 1, got 'nan'"},
      {"--seed -1", "--seed: expected a whole number >= 0, got '-1'"},
      {"--die-at-offset -5", "--die-at-offset: expected a byte offset > 0, got '-5'"},
      {"--die-at-offset 0", "--die-at-offset: expected a byte offset > 0, got '0'"},
      {"--die-at-offset 12x", "--die-at-offset: expected a byte offset > 0, got '12x'"},
      {"--flash-rate 0", "--flash-rate: expected bytes per second > 0, got '0'"},
      {"--flash-rate -100", "--flash-rate: expected bytes per second > 0, got '-100'"},
      {"--flash-rate fast", "--flash-rate: expected bytes per second > 0, got 'fast'"},
  };
  for (const auto& [args, message] : cases) {
    INFO(args);
    const auto r = run_program(FLEETSIM_BOARD_BIN, base + args);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(message) != std::string::npos);
  }
  // Nothing was served, so no state directory was created.
  CHECK_FALSE(std::filesystem::exists(dir / "s"));
}

TEST_CASE("fleetsim-board --drop 1 answers no request over UDP", "[board][faults]") {
  TempDir dir;
  UdpBoard board({"--state-dir", dir / "state", "--drop", "1"});
  for (int i = 0; i < 5; ++i) {
    CHECK_FALSE(board.client->call_once(SmpOp::Write, 0, 0, echo_request("lost?"), 300ms));
  }
  // Lost requests are not a crash: the board still stops cleanly.
  CHECK(board.process.terminate(5s) == std::optional<int>(0));
}

TEST_CASE("fleetsim-board --drop 0.5 answers a binomial share of 200 requests", "[board][faults]") {
  TempDir dir;
  UdpBoard board({"--state-dir", dir / "state", "--drop", "0.5", "--seed", "42"});
  const auto answered = answered_echoes(*board.client, 200);
  // Answered ~ Binomial(200, 0.5): mean 100, sd sqrt(200 * 0.25) = 7.07. 60..140 is ±5.6 sd, so
  // any seed passes; an implementation that drops nothing (200) or everything (0) cannot.
  INFO("answered " << answered.size() << " of 200");
  CHECK(answered.size() >= 60);
  CHECK(answered.size() <= 140);
}

TEST_CASE("fleetsim-board --drop with the same seed drops the same requests", "[board][faults]") {
  TempDir dir;
  std::set<std::uint8_t> runs[2];
  for (auto& run : runs) {
    UdpBoard board({"--state-dir", dir / "state", "--drop", "0.5", "--seed", "7"});
    run = answered_echoes(*board.client, 40);
  }
  CHECK(runs[0] == runs[1]);
  // Some dropped, some answered (all or none has probability 2 * 2^-40).
  CHECK(runs[0].size() > 0);
  CHECK(runs[0].size() < 40);
}

TEST_CASE("fleetsim-board --corrupt 1 over UDP keeps the reply header but not its CBOR",
          "[board][faults]") {
  TempDir dir;
  UdpBoard board({"--state-dir", dir / "state", "--corrupt", "1"});
  const std::uint8_t seq = board.client->send_request(SmpOp::Write, 0, 0, echo_request("hello"));
  const auto datagram = board.client->receive(5s);
  REQUIRE(datagram);
  // The header still names the request, so a client can match the damaged reply to it...
  const auto header = SmpHeader::decode(*datagram);
  REQUIRE(header.ok());
  CHECK(header.value().seq == seq);
  CHECK(header.value().op == SmpOp::WriteResponse);
  CHECK(header.value().length == datagram->size() - SmpHeader::kSize);
  // ...but the payload is not well-formed CBOR.
  const auto packet = SmpPacket::decode(*datagram);
  REQUIRE_FALSE(packet.ok());
  CHECK(packet.error() == SmpDecodeError::BadCbor);
}

TEST_CASE("fleetsim-board --corrupt 1 on a pty sends frames whose CRC check fails",
          "[board][faults]") {
  TempDir dir;
  PtyBoard board({"--state-dir", dir / "state", "--corrupt", "1"});
  BoardPtyClient& client = *board.client;
  for (int i = 0; i < 3; ++i) {
    client.send_request(SmpOp::Write, 0, 0, echo_request("hello"));
    const auto event = client.next_event(3s);
    REQUIRE(event);
    REQUIRE_FALSE(event->ok());
    CHECK(event->error() == SerialFrameError::CrcMismatch);
  }
}

TEST_CASE("fleetsim-board --drop 1 answers no request on a pty", "[board][faults]") {
  TempDir dir;
  PtyBoard board({"--state-dir", dir / "state", "--drop", "1"});
  BoardPtyClient& client = *board.client;
  for (int i = 0; i < 3; ++i) {
    CHECK_FALSE(client.call_once(SmpOp::Write, 0, 0, echo_request("lost?"), 300ms));
  }
}

TEST_CASE("fleetsim-board --die-at-offset dies mid-upload and resumes after a restart",
          "[board][faults]") {
  TempDir dir;
  const std::string state_dir = dir / "state";
  const Bytes image = make_image({3, 1, 0, 0}, 12000);
  // Chunks of 1000 bytes: the chunk at 4000 crosses 4500, so bytes [4000, 4500) are written
  // before the power goes and the board keeps exactly 4500 bytes.
  constexpr std::size_t kChunk = 1000;
  constexpr std::size_t kDieAt = 4500;
  const std::vector<std::string> args = {"--state-dir", state_dir, "--die-at-offset",
                                         std::to_string(kDieAt)};
  {
    UdpBoard board(args);
    std::size_t off = 0;
    int answered = 0;
    while (auto reply = board.client->call_once(SmpOp::Write, 1, 1,
                                                upload_request(image, off, kChunk), 2000ms)) {
      REQUIRE(reply->contains("off"));
      off = (*reply)["off"].get<std::size_t>();
      REQUIRE(++answered <= 4);  // the replies for 0, 1000, 2000 and 3000
    }
    CHECK(answered == 4);
    CHECK(off == 4000);
    CHECK(board.process.wait_exit(5s) == std::optional<int>(4));
  }
  const std::string slot1 = slurp(dir / "state/slot1.bin");
  CHECK(slot1.size() == kDieAt);
  CHECK(slot1 == std::string(image.begin(), image.begin() + kDieAt));

  // Restarted with the same switches: the resumed upload starts at the cut, so it does not die.
  UdpBoard board(args);
  // A chunk at an offset the board does not expect is dropped and answered with the offset it
  // expects (Zephyr image management, upload): the 4500 bytes on flash.
  CHECK(board.client->call(SmpOp::Write, 1, 1, upload_request(image, 1000, kChunk)) ==
        json{{"off", kDieAt}});
  // The first chunk again (off 0, same len and sha): the board answers where it stands.
  const json resume = board.client->call(SmpOp::Write, 1, 1, upload_request(image, 0, kChunk));
  CHECK(resume == json{{"off", kDieAt}});
  const json last = board.client->upload(image, kChunk, kDieAt);
  CHECK(last["off"] == image.size());
  CHECK(last.value("match", false));
  const json s = board.client->call(SmpOp::Read, 1, 0, json::object());
  CHECK(hash_of(slot_entry(s, 1)) == tlv_hash(image));
  CHECK(board.process.terminate(5s) == std::optional<int>(0));
}

TEST_CASE("fleetsim-board --flash-rate makes an upload take at least size / rate",
          "[board][faults]") {
  TempDir dir;
  constexpr double kRate = 20000;  // bytes per second
  const Bytes image = make_image({1, 1, 0, 0}, 40 * 1024);
  UdpBoard board({"--state-dir", dir / "state", "--flash-rate", "20000"});
  const auto start = std::chrono::steady_clock::now();
  const json last = board.client->upload(image, 1000);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  CHECK(last.value("match", false));
  // Every byte is written once and each write sleeps bytes / rate before its reply:
  // image.size() / 20000 ≈ 2.07 s at least (a lower bound only; a loaded machine is slower).
  const double at_least = static_cast<double>(image.size()) / kRate;
  INFO("upload of " << image.size() << " bytes took " << took.count() << " s");
  CHECK(took.count() >= at_least);
}

TEST_CASE("fleetsim-board --echo-fail-after-boot fails echo only after a reset into a new image",
          "[board][faults]") {
  TempDir dir;
  UdpBoard board({"--state-dir", dir / "state", "--echo-fail-after-boot", "--reset-time", "0.2"});
  BoardUdpClient& client = *board.client;
  CHECK(client.call(SmpOp::Write, 0, 0, echo_request("a")) == json{{"r", "a"}});

  // A reset with nothing pending boots the same image: echo still works.
  CHECK(client.call(SmpOp::Write, 0, 5, json::object()) == json::object());
  state_once_back(client);
  CHECK(client.call(SmpOp::Write, 0, 0, echo_request("b")) == json{{"r", "b"}});

  // Upload, test, reset: the new image runs and its echo fails with rc 1 (UNKNOWN).
  const Bytes image = make_image({1, 5, 0, 0}, 3000);
  client.upload(image, 1000);
  client.call(SmpOp::Write, 1, 0, {{"hash", json::binary(tlv_hash(image))}, {"confirm", false}});
  CHECK(client.call(SmpOp::Write, 0, 5, json::object()) == json::object());
  CHECK(slot_entry(state_once_back(client), 0)["version"] == "1.5.0");
  CHECK(client.call(SmpOp::Write, 0, 0, echo_request("c")) == json{{"rc", 1}});

  // Not confirmed: the next reset reverts to the old image, whose echo works again.
  CHECK(client.call(SmpOp::Write, 0, 5, json::object()) == json::object());
  CHECK(slot_entry(state_once_back(client), 0)["version"] == "1.0.0");
  CHECK(client.call(SmpOp::Write, 0, 0, echo_request("d")) == json{{"r", "d"}});
}
