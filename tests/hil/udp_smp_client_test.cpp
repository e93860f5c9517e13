// The UDP SMP client against the real fleetsim-board and against a test-side UDP socket that
// answers the way a lossy network or a confused board would.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "hil/protocol/mcuboot_image.hpp"
#include "hil/board/smp_client.hpp"
#include "hil/transport/transport_uri.hpp"
#include "hil/transport/udp_smp_client.hpp"
#include "hil/transport/udp_socket.hpp"
#include "tests/hil/started_board.hpp"

using namespace fleetsim::hil;
using fleetsim::sha256;
using namespace fleetsim::testing;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

// A UDP socket on 127.0.0.1 playing the board: receives requests, sends what the test says.
class UdpPeer {
 public:
  UdpPeer() {
    fd_ = open_udp_socket("127.0.0.1", 0, UdpRole::Bind);
    port_ = local_udp_port(fd_);
  }
  ~UdpPeer() { close(fd_); }
  std::uint16_t port() const { return port_; }

  // The next request (decoded), remembering who sent it; nullopt after `timeout`.
  std::optional<SmpPacket> receive(std::chrono::milliseconds timeout) {
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, int(timeout.count())) <= 0) return std::nullopt;
    std::uint8_t buf[2048];
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    const ssize_t n = recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0) return std::nullopt;
    client_ = from;
    client_len_ = len;
    auto packet = SmpPacket::decode(std::span(buf, std::size_t(n)));
    if (!packet) return std::nullopt;
    return packet.value();
  }
  void send_packet(const SmpPacket& p) {
    const auto bytes = p.encode();
    REQUIRE(bytes);
    REQUIRE(sendto(fd_, bytes.value().data(), bytes.value().size(), 0, reinterpret_cast<sockaddr*>(&client_),
                   client_len_) == ssize_t(bytes.value().size()));
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  sockaddr_storage client_{};
  socklen_t client_len_ = 0;
};

SmpPacket echo_request(std::uint8_t seq, const std::string& text) {
  SmpPacket p;
  p.header.op = SmpOp::Write;
  p.header.group = 0;
  p.header.command = 0;
  p.header.seq = seq;
  p.payload = {{"d", text}};
  return p;
}

SmpPacket echo_reply(std::uint8_t seq, const std::string& text) {
  SmpPacket r = make_response_to(echo_request(seq, text).header);
  r.payload = {{"r", text}};
  return r;
}

}  // namespace

TEST_CASE("the UDP client exchanges an echo with the board emulator", "[hil][udp]") {
  StartedBoard board(BoardLink::Udp);
  auto uri = parse_transport_uri(board.uri);
  REQUIRE(uri);
  auto transport = open_transport(uri.value());
  SmpClient client(*transport);
  auto r = client.echo("hello board");
  REQUIRE(r);
  CHECK(r.value() == "hello board");
  auto params = client.params();
  REQUIRE(params);
  CHECK(params.value().buf_size == 2048);  // the emulator's UDP default (Zephyr's 2048/2)
}

TEST_CASE("stale and duplicate UDP answers are ignored and a lost answer is retransmitted with the same sequence number",
          "[hil][udp]") {
  UdpPeer peer;
  UdpSmpClient transport("127.0.0.1", peer.port(), 1500, TransportTiming{300ms, 3});
  std::vector<std::uint8_t> seqs_seen;
  std::thread board([&] {
    // First request: answer with an older sequence number (a late reply to something else)
    // and a reply to another command with the right number; neither answers it. Then stay
    // silent: the client must send the same request again.
    auto first = peer.receive(2s);
    if (!first) return;
    seqs_seen.push_back(first->header.seq);
    peer.send_packet(echo_reply(std::uint8_t(first->header.seq - 1), "stale"));
    SmpPacket other = make_response_to(first->header);
    other.header.command = 6;
    other.payload = {{"buf_size", 1}, {"buf_count", 1}};
    peer.send_packet(other);
    auto second = peer.receive(2s);
    if (!second) return;
    seqs_seen.push_back(second->header.seq);
    peer.send_packet(echo_reply(second->header.seq, "right"));
    peer.send_packet(echo_reply(second->header.seq, "duplicate"));  // for a later request to ignore
  });
  auto r = transport.transact(echo_request(0x42, "x"));
  board.join();
  REQUIRE(r);
  CHECK(r.value().payload.at("r") == "right");
  CHECK(seqs_seen == std::vector<std::uint8_t>{0x42, 0x42});
  CHECK(transport.retransmissions() == 1);

  // The duplicate of 0x42 still queued on the socket must not answer request 0x43.
  std::thread board2([&] {
    auto req = peer.receive(2s);
    if (req) peer.send_packet(echo_reply(req->header.seq, "fresh"));
  });
  auto r2 = transport.transact(echo_request(0x43, "y"));
  board2.join();
  REQUIRE(r2);
  CHECK(r2.value().payload.at("r") == "fresh");
}

TEST_CASE("an unanswered UDP request fails with a timeout after the configured attempts", "[hil][udp]") {
  UdpPeer peer;
  UdpSmpClient transport("127.0.0.1", peer.port(), 1500, TransportTiming{100ms, 3});
  const auto start = std::chrono::steady_clock::now();
  auto r = transport.transact(echo_request(7, "anyone?"));
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TransportError::Kind::Timeout);
  // 3 attempts × 100 ms: at least 300 ms, and it does not hang.
  CHECK(took >= 300ms);
  CHECK(took < 5s);
  int received = 0;
  while (auto p = peer.receive(50ms)) {
    CHECK(p->header.seq == 7);
    ++received;
  }
  CHECK(received == 3);
}

TEST_CASE("a UDP request larger than the MTU is refused before it is sent", "[hil][udp]") {
  UdpPeer peer;
  UdpSmpClient transport("127.0.0.1", peer.port(), 100, TransportTiming{100ms, 1});
  auto r = transport.transact(echo_request(1, std::string(200, 'a')));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TransportError::Kind::Encode);
  CHECK_FALSE(peer.receive(100ms));
}

TEST_CASE("an upload over UDP fills datagrams up to the MTU and the board holds the image", "[hil][udp]") {
  StartedBoard board(BoardLink::Udp);
  auto transport = open_transport(parse_transport_uri(board.uri).value());
  SmpClient client(*transport);
  const auto image = build_mcuboot_image({ImageVersion{1, 1, 0, 0}, 20000});
  const auto info = parse_mcuboot_image(image);
  REQUIRE(info);
  auto up = client.upload(image, 2048);
  REQUIRE(up);
  CHECK(up.value().offset == image.size());
  CHECK_FALSE(up.value().resumed);
  // min(buf_size 2048, MTU 1500) = 1500 bytes per packet; later chunks carry the 8-byte header
  // and about 20 bytes of CBOR besides the data.
  CHECK(up.value().chunk_bytes <= 1500 - 8 - 10);
  CHECK(up.value().chunk_bytes >= 1500 - 8 - 40);
  const std::size_t per_chunk = up.value().chunk_bytes;
  CHECK(up.value().requests >= (image.size() + per_chunk - 1) / per_chunk);
  auto state = client.state_read();
  REQUIRE(state);
  const SlotState* slot1 = state.value().slot(1);
  REQUIRE(slot1);
  CHECK(slot1->hash == std::vector<std::uint8_t>(info.value().hash.begin(), info.value().hash.end()));
  CHECK(slot1->version == "1.1.0");
}

TEST_CASE("an interrupted upload resumes from the offset the board returns", "[hil][udp]") {
  StartedBoard board(BoardLink::Udp);
  auto transport = open_transport(parse_transport_uri(board.uri).value());
  SmpClient client(*transport);
  const auto image = build_mcuboot_image({ImageVersion{1, 2, 0, 0}, 8000});
  // The first 1000 bytes arrive, then the bridge "dies": the board holds offset 1000 of an
  // upload announced with the file's SHA-256.
  const auto sha = sha256(image);
  auto first = client.request(SmpOp::Write, kSmpGroupImage, 1,
                              {{"off", 0}, {"len", image.size()}, {"image", 0},
                               {"sha", json::binary(std::vector<std::uint8_t>(sha.begin(), sha.end()))},
                               {"data", json::binary(std::vector<std::uint8_t>(image.begin(), image.begin() + 1000))}});
  REQUIRE(first);
  REQUIRE(first.value().at("off") == 1000);
  std::vector<std::size_t> offsets;
  auto up = client.upload(image, 2048, [&](const UploadProgress& p) { offsets.push_back(p.offset); });
  REQUIRE(up);
  CHECK(up.value().resumed);
  CHECK(up.value().resumed_from == 1000);  // the board held the first 1000 bytes
  REQUIRE(!offsets.empty());
  CHECK(offsets.front() == 1000);  // the answer to the first chunk: where the board stands
  CHECK(up.value().offset == image.size());
  const auto info = parse_mcuboot_image(image);
  REQUIRE(info);
  auto state = client.state_read();
  REQUIRE(state);
  REQUIRE(state.value().slot(1));
  CHECK(state.value().slot(1)->hash == std::vector<std::uint8_t>(info.value().hash.begin(), info.value().hash.end()));
}

TEST_CASE("an image with a wrong header magic is rejected by the board with a typed error", "[hil][udp]") {
  StartedBoard board(BoardLink::Udp);
  auto transport = open_transport(parse_transport_uri(board.uri).value());
  SmpClient client(*transport);
  auto image = build_mcuboot_image({ImageVersion{1, 3, 0, 0}, 4000});
  image[0] ^= 0xFF;
  auto up = client.upload(image, 2048);
  REQUIRE_FALSE(up);
  CHECK(up.error().kind == SmpClientError::Kind::Board);
  CHECK(up.error().smp.group == kSmpGroupImage);
  CHECK(up.error().smp.rc == 23);  // Zephyr's IMG_MGMT_ERR_INVALID_IMAGE_HEADER_MAGIC
  CHECK(up.error().message.find("INVALID_IMAGE_HEADER_MAGIC") != std::string::npos);
}
