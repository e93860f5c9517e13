// The real fleetsim-board binary on a pseudo-terminal (--pty), SMP in the console framing.
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hil/mcuboot_image.hpp"
#include "hil/serial_framing.hpp"
#include "hil/smp_packet.hpp"
#include "tests/cli_runner.hpp"
#include "tests/hil/board_state.hpp"
#include "tests/hil/board_process.hpp"
#include "tests/hil/board_pty_client.hpp"

using fleetsim::hil::build_mcuboot_image;
using fleetsim::hil::encode_serial_frame;
using fleetsim::hil::ImageVersion;
using fleetsim::hil::McubootImageSpec;
using fleetsim::hil::parse_mcuboot_image;
using fleetsim::hil::SerialFrameDecoder;
using fleetsim::hil::SmpOp;
using fleetsim::hil::SmpPacket;
using fleetsim::testing::BoardProcess;
using fleetsim::testing::BoardPtyClient;
using fleetsim::testing::pty_path_from;
using fleetsim::testing::TempDir;
using fleetsim::testing::encode_request;
using fleetsim::testing::flag;
using fleetsim::testing::hash_of;
using fleetsim::testing::slot_entry;
using fleetsim::testing::upload_image;
using json = nlohmann::json;
using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;


TEST_CASE("fleetsim-board over a pty: echo, noise, and a full update with reset", "[board]") {
  TempDir dir;
  BoardProcess board({"--pty", "--state-dir", dir / "state", "--reset-time", "0.3"});
  const auto line = board.read_line(10s);
  REQUIRE(line);
  BoardPtyClient client(pty_path_from(*line));

  client.write_text("boot banner: *** Booting Zephyr OS ***\r\n");  // console noise
  CHECK(client.call(SmpOp::Write, 0, 0, {{"d", "hello"}}) == json{{"r", "hello"}});
  const json params = client.call(SmpOp::Read, 0, 6, json::object());
  CHECK(params == json{{"buf_size", 384}, {"buf_count", 4}});

  McubootImageSpec spec;
  spec.version = ImageVersion{2, 1, 0, 0};
  spec.body_size = 1500;
  const Bytes image = build_mcuboot_image(spec);
  const auto info = parse_mcuboot_image(image);
  REQUIRE(info.ok());
  const Bytes tlv(info.value().hash.begin(), info.value().hash.end());

  // Packets stay ≤ 256 bytes: 180 data bytes plus the other fields (len and a 32-byte sha in
  // the first).
  upload_image([&](const json& req) { return client.call(SmpOp::Write, 1, 1, req); }, image, 180);
  json s = client.call(SmpOp::Read, 1, 0, json::object());
  const json slot1 = slot_entry(s, 1);
  const auto& hash = slot1.at("hash").get_binary();
  CHECK(Bytes(hash.begin(), hash.end()) == tlv);
  s = client.call(SmpOp::Write, 1, 0, {{"hash", json::binary(tlv)}});
  CHECK(slot_entry(s, 1).value("pending", false));
  CHECK(client.call(SmpOp::Write, 0, 5, json::object()) == json::object());

  std::optional<json> back;
  for (int i = 0; i < 40 && !back; ++i) back = client.call_once(SmpOp::Write, 0, 0, {{"d", "up?"}}, 250ms);
  REQUIRE(back);
  s = client.call(SmpOp::Read, 1, 0, json::object());
  CHECK(slot_entry(s, 0)["version"] == "2.1.0");
  CHECK_FALSE(slot_entry(s, 0).value("confirmed", false));
  CHECK(board.terminate(5s) == std::optional<int>(0));
}
