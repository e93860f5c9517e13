// A minimal SMP-over-UDP client for the board emulator tests (one request per datagram on
// loopback). Not the bridge's transport: it only sends, waits with a timeout and matches by seq.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hil/protocol/smp_packet.hpp"
#include "tests/hil/board_process.hpp"
#include "tests/hil/board_state.hpp"

namespace fleetsim::testing {

class BoardUdpClient {
 public:
  explicit BoardUdpClient(std::uint16_t port) {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~BoardUdpClient() { close(fd_); }
  BoardUdpClient(const BoardUdpClient&) = delete;
  BoardUdpClient& operator=(const BoardUdpClient&) = delete;

  // Sends one request with the next seq and returns that seq.
  std::uint8_t send_request(hil::SmpOp op, std::uint16_t group, std::uint8_t command,
                            const nlohmann::json& payload) {
    const auto bytes = encode_request(op, group, command, ++seq_, payload);
    REQUIRE(send(fd_, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
    return seq_;
  }

  // The next datagram as it arrived, or std::nullopt after `timeout`.
  std::optional<std::vector<std::uint8_t>> receive(std::chrono::milliseconds timeout) {
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    std::vector<std::uint8_t> buf(2048);
    const ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
    if (n <= 0) return std::nullopt;
    buf.resize(static_cast<std::size_t>(n));
    return buf;
  }

  // One request, one try: the response payload with the same seq, or nullopt after `timeout`.
  std::optional<nlohmann::json> call_once(hil::SmpOp op, std::uint16_t group, std::uint8_t command,
                                          const nlohmann::json& payload,
                                          std::chrono::milliseconds timeout) {
    const std::uint8_t seq = send_request(op, group, command, payload);
    return reply_with_seq(seq, timeout, [&](std::chrono::milliseconds left) { return receive(left); });
  }

  // Retries up to 5 times (UDP may drop); fails the test when nothing answers.
  nlohmann::json call(hil::SmpOp op, std::uint16_t group, std::uint8_t command,
                      const nlohmann::json& payload) {
    using namespace std::chrono_literals;
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (auto r = call_once(op, group, command, payload, 2000ms)) return *r;
    }
    FAIL("no answer from the board");
    return nullptr;
  }

  // Uploads `image` from `from` in chunks of `chunk` bytes; the last reply.
  nlohmann::json upload(const std::vector<std::uint8_t>& image, std::size_t chunk, std::size_t from = 0) {
    return upload_image([&](const nlohmann::json& req) { return call(hil::SmpOp::Write, 1, 1, req); },
                        image, chunk, from);
  }

 private:
  int fd_ = -1;
  std::uint8_t seq_ = 0;
};

// The port of a "fleetsim-board: listening on udp 127.0.0.1:PORT" line.
inline std::uint16_t port_from(const std::string& line) {
  REQUIRE(line.rfind("fleetsim-board: listening on udp 127.0.0.1:", 0) == 0);
  const auto colon = line.rfind(':');
  REQUIRE(colon != std::string::npos);
  return static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));
}

// fleetsim-board started on 127.0.0.1 (any free port) with `args`, and a client connected to it.
struct UdpBoard : ConnectedBoard<BoardUdpClient> {
  explicit UdpBoard(std::vector<std::string> args)
      : ConnectedBoard(with_udp(std::move(args)), port_from) {}

 private:
  static std::vector<std::string> with_udp(std::vector<std::string> args) {
    args.insert(args.begin(), {"--udp", "127.0.0.1:0"});
    return args;
  }
};

}  // namespace fleetsim::testing
