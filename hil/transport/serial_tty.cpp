#include "hil/transport/serial_tty.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace fleetsim::hil {

namespace {

std::optional<speed_t> termios_speed(std::uint32_t baud) {
  switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    case 1000000: return B1000000;
    default: return std::nullopt;
  }
}

}  // namespace

int open_raw_tty(const std::string& path, std::uint32_t baud) {
  const auto speed = termios_speed(baud);
  if (!speed) throw std::runtime_error("unsupported baud rate " + std::to_string(baud));
  const int fd = open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  termios tio{};
  if (tcgetattr(fd, &tio) != 0) {
    const std::string error = std::string("not a terminal: ") + path + ": " + std::strerror(errno);
    close(fd);
    throw std::runtime_error(error);
  }
  cfmakeraw(&tio);
  cfsetispeed(&tio, *speed);
  cfsetospeed(&tio, *speed);
  tio.c_cflag |= CLOCAL | CREAD;
  tcsetattr(fd, TCSANOW, &tio);
  tcflush(fd, TCIFLUSH);  // whatever the console printed before we opened it is not an answer
  return fd;
}

}  // namespace fleetsim::hil
