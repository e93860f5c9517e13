#include "hil/emulator/pty_pair.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace fleetsim::hil {

namespace {

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

PtyPair::PtyPair() {
  manager_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (manager_ < 0) throw std::runtime_error(errno_text("posix_openpt"));
  if (grantpt(manager_) != 0 || unlockpt(manager_) != 0) {
    const std::string error = errno_text("grantpt/unlockpt");
    close(manager_);
    throw std::runtime_error(error);
  }
  const char* name = ptsname(manager_);
  if (!name) {
    const std::string error = errno_text("ptsname");
    close(manager_);
    throw std::runtime_error(error);
  }
  path_ = name;
  subsidiary_ = open(path_.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (subsidiary_ < 0) {
    const std::string error = errno_text("open " + path_);
    close(manager_);
    throw std::runtime_error(error);
  }
  termios tio{};
  if (tcgetattr(subsidiary_, &tio) == 0) {
    cfmakeraw(&tio);
    tcsetattr(subsidiary_, TCSANOW, &tio);
  }
}

PtyPair::~PtyPair() {
  close(subsidiary_);
  close(manager_);
}

void PtyPair::write_text(std::string_view text) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!text.empty() && std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{manager_, POLLOUT, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    const ssize_t n = write(manager_, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string zephyr_boot_banner(const std::string& running_version) {
  // Zephyr prints "*** Booting Zephyr OS build <version> ***" (CONFIG_BOOT_BANNER); the second
  // line is the application's, as a sample's main() would print it.
  return "*** Booting Zephyr OS build v3.7.0 ***\r\nfleetsim-board: running " + running_version + "\r\n";
}

}  // namespace fleetsim::hil
