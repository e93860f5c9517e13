// The real fleetsim-board binary (FLEETSIM_BOARD_BIN) over a real UDP socket on loopback.
// Every wait is bounded; the board process is killed at the end whatever happens.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hil/mcuboot_image.hpp"
#include "hil/sha256.hpp"
#include "hil/smp_packet.hpp"
#include "hil/udp_smp_server.hpp"
#include "tests/cli_runner.hpp"
#include "tests/hil/board_state.hpp"
#include "tests/hil/board_process.hpp"

using fleetsim::hil::build_mcuboot_image;
using fleetsim::hil::ImageVersion;
using fleetsim::hil::McubootImageSpec;
using fleetsim::hil::parse_mcuboot_image;
using fleetsim::hil::parse_udp_endpoint;
using fleetsim::hil::sha256;
using fleetsim::hil::SmpOp;
using fleetsim::hil::SmpPacket;
using fleetsim::testing::Cli;
using fleetsim::testing::run_program;
using fleetsim::testing::shell_quote;
using fleetsim::testing::TempDir;
using fleetsim::testing::encode_request;
using fleetsim::testing::flag;
using fleetsim::testing::hash_of;
using fleetsim::testing::slot_entry;
using json = nlohmann::json;
using Bytes = std::vector<std::uint8_t>;
using fleetsim::testing::BoardProcess;
using namespace std::chrono_literals;

namespace {

Cli run_board(const std::string& args) { return run_program(FLEETSIM_BOARD_BIN, args); }

class UdpClient {
 public:
  explicit UdpClient(std::uint16_t port) {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~UdpClient() { close(fd_); }

  // One request, one try: the response payload with the same seq, or nullopt after `timeout`.
  std::optional<json> call_once(SmpOp op, std::uint16_t group, std::uint8_t command,
                                const json& payload, std::chrono::milliseconds timeout) {
    const auto bytes = encode_request(op, group, command, ++seq_, payload);
    REQUIRE(send(fd_, bytes.data(), bytes.size(), 0) ==
            static_cast<ssize_t>(bytes.size()));
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
      std::uint8_t buf[2048];
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) continue;
      const auto reply = SmpPacket::decode(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)));
      if (!reply.ok() || reply.value().header.seq != seq_) continue;  // stale
      return reply.value().payload;
    }
  }

  // Retries up to 5 times (UDP may drop); fails the test when nothing answers.
  json call(SmpOp op, std::uint16_t group, std::uint8_t command, const json& payload) {
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (auto r = call_once(op, group, command, payload, 2000ms)) return *r;
    }
    FAIL("no answer from the board");
    return nullptr;
  }

 private:
  int fd_ = -1;
  std::uint8_t seq_ = 0;
};

std::uint16_t port_from(const std::string& line) {
  const auto colon = line.rfind(':');
  REQUIRE(colon != std::string::npos);
  return static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));
}

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
  McubootImageSpec spec;
  spec.version = ImageVersion{1, 4, 2, 0};
  spec.body_size = 6000;
  const Bytes image = build_mcuboot_image(spec);
  const auto info = parse_mcuboot_image(image);
  REQUIRE(info.ok());
  const Bytes tlv(info.value().hash.begin(), info.value().hash.end());

  {
    BoardProcess board({"--udp", "127.0.0.1:0", "--state-dir", state_dir, "--reset-time", "1"});
    const auto line = board.read_line(10s);
    REQUIRE(line);
    CHECK(line->find("listening on udp 127.0.0.1:") != std::string::npos);
    UdpClient client(port_from(*line));

    CHECK(client.call(SmpOp::Write, 0, 0, {{"d", "ping"}}) == json{{"r", "ping"}});
    const json params = client.call(SmpOp::Read, 0, 6, json::object());
    const std::size_t buf_size = params.at("buf_size").get<std::size_t>();
    CHECK(buf_size > 100);

    // Upload in chunks that keep the packet ≤ min(buf_size, MTU).
    const std::size_t chunk = std::min<std::size_t>(buf_size, 1500) - 100;
    std::size_t off = 0;
    int guard = 0;
    while (off < image.size()) {
      REQUIRE(++guard < 1000);
      const std::size_t n = std::min(chunk, image.size() - off);
      json req = {{"off", off},
                  {"data", json::binary(Bytes(image.begin() + off, image.begin() + off + n))}};
      if (off == 0) {
        req["len"] = image.size();
        const auto sha = sha256(image);
        req["sha"] = json::binary(Bytes(sha.begin(), sha.end()));
      }
      const json r = client.call(SmpOp::Write, 1, 1, req);
      REQUIRE(r.contains("off"));
      off = r["off"].get<std::size_t>();
    }
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

    CHECK(board.terminate(5s) == std::optional<int>(0));
  }
  // Restarted on the same state directory: the confirmed new image is still there.
  BoardProcess board({"--udp", "127.0.0.1:0", "--state-dir", state_dir});
  const auto line = board.read_line(10s);
  REQUIRE(line);
  UdpClient client(port_from(*line));
  const json s = client.call(SmpOp::Read, 1, 0, json::object());
  CHECK(slot_entry(s, 0)["version"] == "1.4.2");
  CHECK(slot_entry(s, 0).value("confirmed", false));
  CHECK(board.terminate(5s) == std::optional<int>(0));
}
