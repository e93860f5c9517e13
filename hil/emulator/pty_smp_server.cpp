#include "hil/emulator/pty_smp_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

#include "hil/protocol/serial_framing.hpp"

namespace fleetsim::hil {

namespace {

// Swaps one base64 character for another. The first line is marker (2 bytes) + piece; piece
// characters 0-2 carry the 16-bit total and must stay intact (a wrong total is a different
// error), character 3 carries the low 6 bits of the packet's first byte, always present and
// never padding. CRC-16 detects every error burst of up to 16 bits, so the check always fails.
void corrupt_first_line(std::string& line) {
  char& c = line[2 + 3];
  c = c == 'A' ? 'B' : 'A';
}

}  // namespace

PtySmpServer::PtySmpServer(BoardEmulator& emulator, std::chrono::milliseconds reset_time,
                           BoardLinkFaults faults)
    : emulator_(emulator), reset_time_(reset_time), faults_(std::move(faults)) {
  master_ = pty_.manager();
}

PtySmpServer::~PtySmpServer() = default;

void PtySmpServer::print(std::string_view text) { pty_.write_text(text); }

void PtySmpServer::write_all(std::span<const char> bytes, const std::atomic<bool>& stop) {
  // Bounded: a client that stops reading for 5 s loses the rest of the reply.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!bytes.empty() && !stop.load() && std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{master_, POLLOUT, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    const ssize_t n = write(master_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return;
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
}

void PtySmpServer::run(const std::atomic<bool>& stop) {
  SerialFrameDecoder decoder;
  std::vector<std::uint8_t> buf(4096);
  std::chrono::steady_clock::time_point silent_until{};
  bool rebooting = false;
  while (!stop.load()) {
    if (rebooting && std::chrono::steady_clock::now() >= silent_until) {
      rebooting = false;
      decoder.reset();
      emulator_.reset();
    }
    pollfd pfd{master_, POLLIN, 0};
    const int ready = poll(&pfd, 1, 100);
    if (ready <= 0 || stop.load()) continue;
    if (!(pfd.revents & POLLIN)) {
      // POLLHUP without data: nothing to read right now (we hold the subsidiary open).
      struct timespec pause {0, 10'000'000};
      nanosleep(&pause, nullptr);
      continue;
    }
    const ssize_t n = read(master_, buf.data(), buf.size());
    if (n <= 0) continue;
    if (rebooting) continue;  // the board is down: input is lost
    for (auto& event : decoder.feed(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)))) {
      if (!event.ok() || rebooting) continue;  // damaged frames are dropped, like a board does
      if (faults_.drop_request()) continue;
      const auto reply = emulator_.handle(event.value());
      if (reply) {
        auto encoded = encode_serial_frame(*reply);
        if (encoded.ok()) {
          auto lines = std::move(encoded).value();
          if (faults_.corrupt_reply()) corrupt_first_line(lines.front());
          std::string out;
          for (const auto& line : lines) out += line;
          write_all(std::span<const char>(out.data(), out.size()), stop);
        }
      }
      if (emulator_.take_reset_request()) {
        rebooting = true;
        silent_until = std::chrono::steady_clock::now() + reset_time_;
      }
    }
  }
}

}  // namespace fleetsim::hil
