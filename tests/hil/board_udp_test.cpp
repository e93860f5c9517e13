// The real fleetsim-board binary (FLEETSIM_BOARD_BIN) over a real UDP socket on loopback.
// Every wait is bounded; the board process is killed at the end whatever happens.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "hil/protocol/smp_packet.hpp"
#include "hil/emulator/udp_smp_server.hpp"
#include "tests/cli_runner.hpp"
#include "tests/hil/board_state.hpp"
#include "tests/hil/board_udp_client.hpp"

using fleetsim::hil::parse_udp_endpoint;
using fleetsim::hil::SmpOp;
using fleetsim::testing::BoardUdpClient;
using fleetsim::testing::Cli;
using fleetsim::testing::hash_of;
using fleetsim::testing::make_image;
using fleetsim::testing::run_program;
using fleetsim::testing::shell_quote;
using fleetsim::testing::slot_entry;
using fleetsim::testing::TempDir;
using fleetsim::testing::tlv_hash;
using fleetsim::testing::UdpBoard;
using json = nlohmann::json;
using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

namespace {

Cli run_board(const std::string& args) { return run_program(FLEETSIM_BOARD_BIN, args); }

}  // namespace

TEST_CASE("parse_udp_endpoint", "[board]") {
  CHECK(parse_udp_endpoint("127.0.0.1:1337")->port == 1337);
  CHECK(parse_udp_endpoint("127.0.0.1:1337")->host == "127.0.0.1");
  CHECK(parse_udp_endpoint("[::1]:0")->host == "::1");
  CHECK_FALSE(parse_udp_endpoint("127.0.0.1"));
  CHECK_FALSE(parse_udp_endpoint("127.0.0.1:70000"));
  CHECK_FALSE(parse_udp_endpoint(":1337"));
  CHECK_FALSE(parse_udp_endpoint("::1:1337"));
  CHECK_FALSE(parse_udp_endpoint("host:12x"));
}

TEST_CASE("fleetsim-board usage errors exit 2 with a message", "[board]") {
  TempDir dir;
  const std::string state = "--state-dir " + shell_quote(dir / "s");
  auto r = run_board(state);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("--udp HOST:PORT or --pty is required") != std::string::npos);
  r = run_board("--udp 127.0.0.1:0");
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("--state-dir DIR is required") != std::string::npos);
  r = run_board("--udp nonsense " + state);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("--udp: expected HOST:PORT") != std::string::npos);
  r = run_board("--udp 127.0.0.1:0 --boot-fail x.y " + state);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("--boot-fail") != std::string::npos);
  r = run_board("--udp 127.0.0.1:0 --reset-time -1 " + state);
  CHECK(r.exit_code == 2);
  r = run_board("--udp 127.0.0.1:0 --bogus " + state);
  CHECK(r.exit_code == 2);
}

TEST_CASE("fleetsim-board over UDP: echo and a full update with a real reset", "[board]") {
  TempDir dir;
  const std::string state_dir = dir / "state";
  const Bytes image = make_image({1, 4, 2, 0}, 6000);
  const Bytes tlv = tlv_hash(image);

  {
    UdpBoard board({"--state-dir", state_dir, "--reset-time", "1"});
    BoardUdpClient& client = *board.client;

    CHECK(client.call(SmpOp::Write, 0, 0, {{"d", "ping"}}) == json{{"r", "ping"}});
    const json params = client.call(SmpOp::Read, 0, 6, json::object());
    const std::size_t buf_size = params.at("buf_size").get<std::size_t>();
    CHECK(buf_size > 100);

    // Upload in chunks that keep the packet ≤ min(buf_size, MTU).
    const std::size_t chunk = std::min<std::size_t>(buf_size, 1500) - 100;
    CHECK(client.upload(image, chunk).value("match", false));
    json s = client.call(SmpOp::Read, 1, 0, json::object());
    CHECK(hash_of(slot_entry(s, 1)) == tlv);
    s = client.call(SmpOp::Write, 1, 0, {{"hash", json::binary(tlv)}, {"confirm", false}});
    CHECK(slot_entry(s, 1).value("pending", false));

    CHECK(client.call(SmpOp::Write, 0, 5, json::object()) == json::object());
    // Rebooting: silent.
    CHECK_FALSE(client.call_once(SmpOp::Write, 0, 0, {{"d", "down?"}}, 300ms));
    // Back within a bounded time.
    std::optional<json> back;
    for (int i = 0; i < 40 && !back; ++i) back = client.call_once(SmpOp::Write, 0, 0, {{"d", "up?"}}, 250ms);
    REQUIRE(back);
    CHECK(*back == json{{"r", "up?"}});

    s = client.call(SmpOp::Read, 1, 0, json::object());
    CHECK(slot_entry(s, 0)["version"] == "1.4.2");
    CHECK(hash_of(slot_entry(s, 0)) == tlv);
    CHECK_FALSE(slot_entry(s, 0).value("confirmed", false));
    s = client.call(SmpOp::Write, 1, 0, {{"confirm", true}});
    CHECK(slot_entry(s, 0).value("confirmed", false));

    CHECK(board.process.terminate(5s) == std::optional<int>(0));
  }
  // Restarted on the same state directory: the confirmed new image is still there.
  UdpBoard board({"--state-dir", state_dir});
  const json s = board.client->call(SmpOp::Read, 1, 0, json::object());
  CHECK(slot_entry(s, 0)["version"] == "1.4.2");
  CHECK(slot_entry(s, 0).value("confirmed", false));
  CHECK(board.process.terminate(5s) == std::optional<int>(0));
}

TEST_CASE("fleetsim-board exits 3 when its state directory cannot be created", "[board]") {
  TempDir dir;
  const std::string file = dir / "a-file";
  std::ofstream(file) << "not a directory";
  const auto r = run_board("--udp 127.0.0.1:0 --state-dir " + shell_quote(file + "/state"));
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("cannot create") != std::string::npos);
}
