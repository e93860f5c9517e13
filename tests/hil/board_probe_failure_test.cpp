// A new image that boots but fails the health probe: the bridge does not confirm it and resets,
// so MCUboot brings the old image back. The board is the project's BoardEmulator served by a
// test-side UDP loop whose application stops answering echo after the swap (mcumgr params still
// work: the board is up, the app is broken).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "hil/board_emulator.hpp"
#include "hil/board_update.hpp"
#include "hil/udp_smp_client.hpp"
#include "hil/udp_socket.hpp"
#include "tests/cli_runner.hpp"

using namespace fleetsim::hil;
using namespace fleetsim::testing;
using namespace std::chrono_literals;

namespace {

class EchoBreakingBoard {
 public:
  explicit EchoBreakingBoard(const TempDir& dir) : emulator_(options_in(dir)) {
    fd_ = open_udp_socket("127.0.0.1", 0, UdpRole::Bind);
    port_ = local_udp_port(fd_);
    thread_ = std::thread([this] { serve(); });
  }
  ~EchoBreakingBoard() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  std::uint16_t port() const { return port_; }
  int echoes_ignored() const { return ignored_; }

 private:
  static BoardEmulatorOptions options_in(const TempDir& dir) {
    BoardEmulatorOptions options;
    options.state_dir = dir.path;
    return options;
  }

  void serve() {
    std::uint8_t buf[2048];
    while (!stop_) {
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, 50) <= 0) continue;
      sockaddr_storage from{};
      socklen_t len = sizeof from;
      const ssize_t n = recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n <= 0) continue;
      const auto header = SmpHeader::decode(std::span(buf, std::size_t(n)));
      if (header && broken_ && header.value().group == 0 && header.value().command == 0) {
        ++ignored_;  // the broken app never answers echo
        continue;
      }
      const auto reply = emulator_.handle(std::span(buf, std::size_t(n)));
      if (reply) sendto(fd_, reply->data(), reply->size(), 0, reinterpret_cast<sockaddr*>(&from), len);
      if (emulator_.take_reset_request()) {
        emulator_.reset();
        // Running an unconfirmed test image means the new app is up; the old one works.
        const auto state = emulator_.handle(SmpPacket{SmpHeader{SmpOp::Read, kSmpV2, 0, 0, kSmpGroupImage, 0, 0}, {}});
        broken_ = false;
        for (const auto& image : state->payload.at("images"))
          if (image.at("slot") == 0 && !image.value("confirmed", false)) broken_ = true;
      }
    }
  }

  BoardEmulator emulator_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> ignored_{0};
  bool broken_ = false;
  std::thread thread_;
};

}  // namespace

TEST_CASE("an image that fails the health probe is not confirmed and reverts on the reset that follows",
          "[hil][update]") {
  TempDir dir;
  EchoBreakingBoard board(dir);
  UdpSmpClient transport("127.0.0.1", board.port(), 1500, TransportTiming{200ms, 2});
  SmpClient client(transport);
  const auto image = build_mcuboot_image({ImageVersion{1, 8, 0, 0}, 8000});
  const BoardUpdateReport r = update_board(client, image, parse_mcuboot_image(image).value());
  INFO(r.message << "\n" << r.detail());
  CHECK(r.outcome == BoardUpdateOutcome::RolledBack);
  CHECK(r.message.find("1.8.0 failed the health probe") != std::string::npos);
  CHECK(r.message.find("reset to revert") != std::string::npos);
  CHECK(board.echoes_ignored() == 2);  // the probe's two attempts
  auto state = client.state_read();
  REQUIRE(state);
  REQUIRE(state.value().slot(0));
  CHECK(state.value().slot(0)->version == "1.0.0");
  CHECK(state.value().slot(0)->confirmed);
}
