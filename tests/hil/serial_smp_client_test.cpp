// The serial SMP client on real pseudo-terminals: against the fleetsim-board emulator, and
// against a test-side pty that plays a board with a noisy console.
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "hil/protocol/mcuboot_image.hpp"
#include "hil/protocol/serial_framing.hpp"
#include "hil/transport/serial_smp_client.hpp"
#include "hil/board/smp_client.hpp"
#include "hil/transport/transport_uri.hpp"
#include "tests/hil/started_board.hpp"

using namespace fleetsim::hil;
using namespace fleetsim::testing;
using namespace std::chrono_literals;

namespace {

// The board end of a pty pair opened by the test; the client opens path().
class PtyPeer {
 public:
  PtyPeer() {
    master_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(master_ >= 0);
    REQUIRE(grantpt(master_) == 0);
    REQUIRE(unlockpt(master_) == 0);
    path_ = ptsname(master_);
    termios tio{};
    REQUIRE(tcgetattr(master_, &tio) == 0);
    cfmakeraw(&tio);
    REQUIRE(tcsetattr(master_, TCSANOW, &tio) == 0);
  }
  ~PtyPeer() { close(master_); }
  const std::string& path() const { return path_; }

  // The next request the client wrote; nullopt after `timeout`.
  std::optional<SmpPacket> receive(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd pfd{master_, POLLIN, 0};
      if (poll(&pfd, 1, 20) <= 0) continue;
      char buf[1024];
      const ssize_t n = read(master_, buf, sizeof buf);
      if (n <= 0) continue;
      for (auto& event : decoder_.feed(std::string_view(buf, std::size_t(n)))) {
        if (!event) continue;
        auto packet = SmpPacket::decode(event.value());
        if (packet) return packet.value();
      }
    }
    return std::nullopt;
  }
  void write_text(const std::string& text) { REQUIRE(write(master_, text.data(), text.size()) == ssize_t(text.size())); }
  std::string frame_of(const SmpPacket& p) {
    const auto lines = encode_serial_frame(p.encode().value());
    std::string out;
    for (const auto& l : lines.value()) out += l;
    return out;
  }

 private:
  int master_ = -1;
  std::string path_;
  SerialFrameDecoder decoder_;
};

SmpPacket echo_request(std::uint8_t seq, const std::string& text) {
  SmpPacket p;
  p.header.op = SmpOp::Write;
  p.header.seq = seq;
  p.payload = {{"d", text}};
  return p;
}

SmpPacket echo_reply(const SmpHeader& request, const std::string& text) {
  SmpPacket r = make_response_to(request);
  r.payload = {{"r", text}};
  return r;
}

}  // namespace

TEST_CASE("the serial client exchanges an echo with the board emulator over its pty", "[hil][serial]") {
  StartedBoard board(BoardLink::Pty);
  auto transport = open_transport(parse_transport_uri(board.uri).value());
  SmpClient client(*transport);
  auto r = client.echo("over the console");
  REQUIRE(r);
  CHECK(r.value() == "over the console");
  auto params = client.params();
  REQUIRE(params);
  CHECK(params.value().buf_size == 384);  // the emulator's serial default (Zephyr's 384/4)
}

TEST_CASE("console noise and a frame with a bad CRC before the answer are skipped", "[hil][serial]") {
  PtyPeer peer;
  SerialSmpClient transport(peer.path(), 115200, TransportTiming{1000ms, 1});
  std::thread board([&] {
    auto req = peer.receive(2s);
    if (!req) return;
    std::string damaged = peer.frame_of(echo_reply(req->header, "damaged"));
    damaged[5] = damaged[5] == 'A' ? 'B' : 'A';  // one base64 character of the first line changed
    peer.write_text("*** Booting Zephyr OS build v3.5.0 ***\r\n[00:00:01.000] <inf> app: noise\n");
    peer.write_text(damaged);
    peer.write_text(peer.frame_of(echo_reply(req->header, "clean")));
  });
  auto r = transport.transact(echo_request(9, "ping"));
  board.join();
  REQUIRE(r);
  CHECK(r.value().payload.at("r") == "clean");
  CHECK(transport.damaged_frames() == 1);
  CHECK(transport.retransmissions() == 0);
}

TEST_CASE("a serial request without an answer is written again with the same sequence number", "[hil][serial]") {
  PtyPeer peer;
  SerialSmpClient transport(peer.path(), 115200, TransportTiming{300ms, 3});
  std::vector<std::uint8_t> seqs;
  std::thread board([&] {
    auto first = peer.receive(2s);
    if (!first) return;
    seqs.push_back(first->header.seq);
    auto second = peer.receive(2s);  // the first went unanswered
    if (!second) return;
    seqs.push_back(second->header.seq);
    peer.write_text(peer.frame_of(echo_reply(second->header, "late but right")));
  });
  auto r = transport.transact(echo_request(200, "hello?"));
  board.join();
  REQUIRE(r);
  CHECK(r.value().payload.at("r") == "late but right");
  CHECK(seqs == std::vector<std::uint8_t>{200, 200});
  CHECK(transport.retransmissions() == 1);
}

TEST_CASE("a serial upload uses packets of the board's buffer size", "[hil][serial]") {
  StartedBoard board(BoardLink::Pty);
  auto transport = open_transport(parse_transport_uri(board.uri).value());
  SmpClient client(*transport);
  const auto params = client.params();
  REQUIRE(params);
  const auto image = build_mcuboot_image({ImageVersion{2, 0, 0, 0}, 6000});
  auto up = client.upload(image, params.value().buf_size);
  REQUIRE(up);
  CHECK(up.value().offset == image.size());
  // 384-byte packets: 8 header bytes and ~20 bytes of CBOR around the data.
  CHECK(up.value().chunk_bytes <= 384 - 8 - 10);
  CHECK(up.value().chunk_bytes >= 384 - 8 - 40);
  auto state = client.state_read();
  REQUIRE(state);
  REQUIRE(state.value().slot(1));
  CHECK(state.value().slot(1)->version == "2.0.0");
}

TEST_CASE("opening a serial path that does not exist fails with the path in the message", "[hil][serial]") {
  auto uri = parse_transport_uri("serial:///dev/nonexistent-fleetsim-tty?baud=115200");
  REQUIRE(uri);
  try {
    open_transport(uri.value());
    FAIL("opened a missing tty");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("/dev/nonexistent-fleetsim-tty") != std::string::npos);
  }
}

TEST_CASE("with emulate_baud a pty upload is held to the line rate of the baud", "[hil][serial]") {
  StartedBoard board(BoardLink::Pty);
  auto uri = parse_transport_uri(board.uri + "&emulate_baud=1");
  REQUIRE(uri);
  REQUIRE(uri.value().emulate_baud);
  SerialSmpClient transport(uri.value().path, 115200, TransportTiming{2000ms, 2}, true);
  SmpClient client(transport);
  const auto image = build_mcuboot_image({ImageVersion{2, 1, 0, 0}, 8000});
  const auto start = std::chrono::steady_clock::now();
  auto up = client.upload(image, 384);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(up);
  // 115200 baud 8N1 carries 11520 bytes/s; the client wrote bytes_written() bytes, all but the
  // last frame had to be on the line before the next could start.
  const double line_seconds = double(transport.bytes_written()) / 11520.0;
  INFO("wrote " << transport.bytes_written() << " bytes in " << took << " s");
  CHECK(transport.bytes_written() > image.size());  // base64 and framing add about a third
  CHECK(took >= line_seconds * 0.9);
  CHECK(took < line_seconds + 2.0);
}
