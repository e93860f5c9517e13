// A minimal SMP client on a pseudo-terminal for the board emulator tests: console framing of
// hil/protocol/serial_framing.hpp, a timeout on every wait, replies matched by seq.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hil/protocol/serial_framing.hpp"
#include "hil/protocol/smp_packet.hpp"
#include "tests/hil/board_process.hpp"
#include "tests/hil/board_state.hpp"

namespace fleetsim::testing {

class BoardPtyClient {
 public:
  explicit BoardPtyClient(const std::string& path) {
    fd_ = open(path.c_str(), O_RDWR | O_NOCTTY);
    REQUIRE(fd_ >= 0);
    termios tio{};
    REQUIRE(tcgetattr(fd_, &tio) == 0);
    cfmakeraw(&tio);
    REQUIRE(tcsetattr(fd_, TCSANOW, &tio) == 0);
  }
  ~BoardPtyClient() { close(fd_); }
  BoardPtyClient(const BoardPtyClient&) = delete;
  BoardPtyClient& operator=(const BoardPtyClient&) = delete;

  void write_text(const std::string& text) {
    REQUIRE(write(fd_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }

  // Sends one request with the next seq and returns that seq.
  std::uint8_t send_request(hil::SmpOp op, std::uint16_t group, std::uint8_t command,
                            const nlohmann::json& payload) {
    const auto bytes = encode_request(op, group, command, ++seq_, payload);
    const auto lines = hil::encode_serial_frame(bytes);
    REQUIRE(lines.ok());
    for (const auto& line : lines.value()) write_text(line);
    return seq_;
  }

  // The next decoder outcome (a packet, or why a frame was dropped) within `timeout`.
  std::optional<hil::SerialFrameEvent> next_event(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (pending_.empty()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
      std::uint8_t buf[1024];
      const ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) continue;
      for (auto& event : decoder_.feed(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)))) {
        pending_.push_back(std::move(event));
      }
    }
    auto event = std::move(pending_.front());
    pending_.pop_front();
    return event;
  }

  std::optional<nlohmann::json> call_once(hil::SmpOp op, std::uint16_t group, std::uint8_t command,
                                          const nlohmann::json& payload,
                                          std::chrono::milliseconds timeout) {
    const std::uint8_t seq = send_request(op, group, command, payload);
    return reply_with_seq(seq, timeout, [&](std::chrono::milliseconds left) {
      auto event = next_event(left);
      return event && event->ok() ? std::optional(std::move(*event).value()) : std::nullopt;
    });
  }

  nlohmann::json call(hil::SmpOp op, std::uint16_t group, std::uint8_t command,
                      const nlohmann::json& payload) {
    using namespace std::chrono_literals;
    auto r = call_once(op, group, command, payload, 3000ms);
    if (!r) FAIL("no answer from the board on the pty");
    return *r;
  }

 private:
  int fd_ = -1;
  std::uint8_t seq_ = 0;
  hil::SerialFrameDecoder decoder_;
  std::deque<hil::SerialFrameEvent> pending_;
};

// The path of a "fleetsim-board: listening on pty PATH" line.
inline std::string pty_path_from(const std::string& line) {
  const std::string prefix = "fleetsim-board: listening on pty ";
  REQUIRE(line.rfind(prefix, 0) == 0);
  return line.substr(prefix.size());
}

// fleetsim-board started with --pty and `args`, and a client on its pseudo-terminal.
struct PtyBoard : ConnectedBoard<BoardPtyClient> {
  explicit PtyBoard(std::vector<std::string> args)
      : ConnectedBoard(with_pty(std::move(args)), pty_path_from) {}

 private:
  static std::vector<std::string> with_pty(std::vector<std::string> args) {
    args.insert(args.begin(), "--pty");
    return args;
  }
};

}  // namespace fleetsim::testing
