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

using fleetsim::hil::build_mcuboot_image;
using fleetsim::hil::encode_serial_frame;
using fleetsim::hil::ImageVersion;
using fleetsim::hil::McubootImageSpec;
using fleetsim::hil::parse_mcuboot_image;
using fleetsim::hil::SerialFrameDecoder;
using fleetsim::hil::SmpOp;
using fleetsim::hil::SmpPacket;
using fleetsim::testing::BoardProcess;
using fleetsim::testing::TempDir;
using fleetsim::testing::encode_request;
using fleetsim::testing::flag;
using fleetsim::testing::hash_of;
using fleetsim::testing::slot_entry;
using json = nlohmann::json;
using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

namespace {

class PtyClient {
 public:
  explicit PtyClient(const std::string& path) {
    fd_ = open(path.c_str(), O_RDWR | O_NOCTTY);
    REQUIRE(fd_ >= 0);
    termios tio{};
    REQUIRE(tcgetattr(fd_, &tio) == 0);
    cfmakeraw(&tio);
    REQUIRE(tcsetattr(fd_, TCSANOW, &tio) == 0);
  }
  ~PtyClient() { close(fd_); }

  void write_text(const std::string& text) {
    REQUIRE(write(fd_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }

  std::optional<json> call_once(SmpOp op, std::uint16_t group, std::uint8_t command,
                                const json& payload, std::chrono::milliseconds timeout) {
    const auto bytes = encode_request(op, group, command, ++seq_, payload);
    const auto lines = encode_serial_frame(bytes);
    REQUIRE(lines.ok());
    for (const auto& line : lines.value()) write_text(line);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
      std::uint8_t buf[1024];
      const ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) continue;
      for (auto& event : decoder_.feed(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)))) {
        if (!event.ok()) continue;
        const auto reply = SmpPacket::decode(event.value());
        if (reply.ok() && reply.value().header.seq == seq_) return reply.value().payload;
      }
    }
  }

  json call(SmpOp op, std::uint16_t group, std::uint8_t command, const json& payload) {
    auto r = call_once(op, group, command, payload, 3000ms);
    if (!r) FAIL("no answer from the board on the pty");
    return *r;
  }

 private:
  int fd_ = -1;
  std::uint8_t seq_ = 0;
  SerialFrameDecoder decoder_;
};

}  // namespace

TEST_CASE("fleetsim-board over a pty: echo, noise, and a full update with reset", "[board]") {
  TempDir dir;
  BoardProcess board({"--pty", "--state-dir", dir / "state", "--reset-time", "0.3"});
  const auto line = board.read_line(10s);
  REQUIRE(line);
  const std::string prefix = "fleetsim-board: listening on pty ";
  REQUIRE(line->rfind(prefix, 0) == 0);
  PtyClient client(line->substr(prefix.size()));

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

  // Packets stay ≤ 256 bytes: 180 data bytes plus the other fields.
  std::size_t off = 0;
  int guard = 0;
  while (off < image.size()) {
    REQUIRE(++guard < 1000);
    const std::size_t n = std::min<std::size_t>(180, image.size() - off);
    json req = {{"off", off},
                {"data", json::binary(Bytes(image.begin() + off, image.begin() + off + n))}};
    if (off == 0) req["len"] = image.size();
    const json r = client.call(SmpOp::Write, 1, 1, req);
    REQUIRE(r.contains("off"));
    off = r["off"].get<std::size_t>();
  }
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
