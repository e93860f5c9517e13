#include "hil/transport/impaired_serial_link.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "hil/protocol/serial_framing.hpp"
#include "hil/transport/serial_tty.hpp"

namespace fleetsim::hil {

namespace {

// A line longer than this is console noise, not a frame line (those are at most
// kSerialMaxLineBytes); it is passed on in pieces of this size so the buffer stays bounded.
constexpr std::size_t kMaxRelayedLine = 4096;
static_assert(kMaxRelayedLine > kSerialMaxLineBytes, "a frame line is never cut");

// Writes all of `bytes` to the non-blocking `fd`, waiting at most 1 s for room: a reader that
// stops reading loses the rest, as a UART overruns.
void write_bounded(int fd, const std::vector<std::uint8_t>& bytes) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += std::size_t(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd pfd{fd, POLLOUT, 0};
    poll(&pfd, 1, int(left.count()));
  }
}

}  // namespace

ImpairedSerialLink::ImpairedSerialLink(const std::string& board_tty, std::uint32_t baud, LinkImpairment impairment)
    : queue_(std::move(impairment)) {
  board_ = open_raw_tty(board_tty, baud);
  // Raw from the start: a pseudo-terminal in cooked mode would echo the board's lines back to
  // us, and we would relay them to the board.
  termios raw{};
  cfmakeraw(&raw);
  char name[256];
  if (openpty(&master_, &subsidiary_, name, &raw, nullptr) != 0) {
    const std::string error = std::string("openpty: ") + std::strerror(errno);
    close(board_);
    throw std::runtime_error(error);
  }
  path_ = name;
  // The subsidiary side stays open here so the master never reads EIO between the bridge's
  // clients (health check, then each update).
  fcntl(master_, F_SETFL, fcntl(master_, F_GETFL) | O_NONBLOCK);
  fcntl(master_, F_SETFD, FD_CLOEXEC);
  fcntl(subsidiary_, F_SETFD, FD_CLOEXEC);
  thread_ = std::thread([this] { run(); });
}

ImpairedSerialLink::~ImpairedSerialLink() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  close(board_);
  close(subsidiary_);
  close(master_);
}

void ImpairedSerialLink::run() {
  // The unit is one console line, not one frame. A frame of n lines then survives loss p with
  // probability (1 − p)^n, so large frames (upload chunks) suffer more, as under real line
  // noise; and a lost line reaches the client as a frame whose length or CRC check fails (or
  // a continuation without a start), exactly what it sees on a noisy UART. Relaying whole
  // frames would need the relay to decode them and could never produce those damaged frames.
  // Lines leave in arrival order, so the bytes of a frame are never reordered.
  std::vector<std::uint8_t> partial[2];  // 0: from the bridge, 1: from the board
  std::uint8_t buf[4096];
  bool board_open = true;  // false once the board's tty hangs up (nothing more to read)
  while (!stop_) {
    for (const auto& line : queue_.take_due()) write_bounded(line.to_board ? board_ : master_, line.bytes);
    pollfd fds[2] = {{master_, POLLIN, 0}, {board_open ? board_ : -1, POLLIN, 0}};
    if (poll(fds, 2, queue_.poll_timeout_ms()) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        if (i == 1 && (n == 0 || (errno != EAGAIN && errno != EINTR))) board_open = false;
        continue;
      }
      auto& line = partial[i];
      for (ssize_t k = 0; k < n; ++k) {
        line.push_back(buf[k]);
        if (buf[k] == '\n' || line.size() >= kMaxRelayedLine) {
          queue_.arrive(i == 0, std::move(line));
          line.clear();
        }
      }
    }
  }
}

}  // namespace fleetsim::hil
