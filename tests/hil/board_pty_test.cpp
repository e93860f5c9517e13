// The real fleetsim-board binary on a pseudo-terminal (--pty), SMP in the console framing.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hil/protocol/smp_packet.hpp"
#include "tests/cli_runner.hpp"
#include "tests/hil/board_pty_client.hpp"
#include "tests/hil/board_state.hpp"

using fleetsim::hil::SmpOp;
using fleetsim::testing::BoardPtyClient;
using fleetsim::testing::hash_of;
using fleetsim::testing::make_image;
using fleetsim::testing::PtyBoard;
using fleetsim::testing::slot_entry;
using fleetsim::testing::TempDir;
using fleetsim::testing::tlv_hash;
using fleetsim::testing::upload_image;
using json = nlohmann::json;
using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

TEST_CASE("fleetsim-board over a pty: echo, noise, and a full update with reset", "[board]") {
  TempDir dir;
  PtyBoard board({"--state-dir", dir / "state", "--reset-time", "0.3"});
  BoardPtyClient& client = *board.client;

  client.write_text("boot banner: *** Booting Zephyr OS ***\r\n");  // console noise
  CHECK(client.call(SmpOp::Write, 0, 0, {{"d", "hello"}}) == json{{"r", "hello"}});
  const json params = client.call(SmpOp::Read, 0, 6, json::object());
  CHECK(params == json{{"buf_size", 384}, {"buf_count", 4}});

  const Bytes image = make_image({2, 1, 0, 0}, 1500);
  const Bytes tlv = tlv_hash(image);

  // Packets stay ≤ 256 bytes: 180 data bytes plus the other fields (len and a 32-byte sha in
  // the first).
  upload_image([&](const json& req) { return client.call(SmpOp::Write, 1, 1, req); }, image, 180);
  json s = client.call(SmpOp::Read, 1, 0, json::object());
  CHECK(hash_of(slot_entry(s, 1)) == tlv);
  s = client.call(SmpOp::Write, 1, 0, {{"hash", json::binary(tlv)}});
  CHECK(slot_entry(s, 1).value("pending", false));
  CHECK(client.call(SmpOp::Write, 0, 5, json::object()) == json::object());

  std::optional<json> back;
  for (int i = 0; i < 40 && !back; ++i) back = client.call_once(SmpOp::Write, 0, 0, {{"d", "up?"}}, 250ms);
  REQUIRE(back);
  s = client.call(SmpOp::Read, 1, 0, json::object());
  CHECK(slot_entry(s, 0)["version"] == "2.1.0");
  CHECK_FALSE(slot_entry(s, 0).value("confirmed", false));
  CHECK(board.process.terminate(5s) == std::optional<int>(0));
}
