#include "hil/board/console_capture.hpp"

#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <regex>
#include <stdexcept>
#include <thread>

#include "hil/transport/serial_tty.hpp"

namespace fleetsim::hil {

namespace {

constexpr std::size_t kMaxLines = 1000;
constexpr std::size_t kMaxLineBytes = 1024;

}  // namespace

ConsoleCapture::ConsoleCapture(const TransportUri& uri) {
  if (uri.scheme != TransportUri::Scheme::Serial)
    throw std::runtime_error("a console is a serial:// tty (expected e.g. serial:///dev/ttyUSB1?baud=115200)");
  fd_ = open_raw_tty(uri.path, uri.baud);
  started_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] { run(); });
}

ConsoleCapture::~ConsoleCapture() {
  stop_ = true;
  thread_.join();
  close(fd_);
}

void ConsoleCapture::start() {
  std::lock_guard<std::mutex> lock(mu_);
  lines_.clear();
  partial_.clear();
  started_ = std::chrono::steady_clock::now();
}

void ConsoleCapture::run() {
  char buf[1024];
  while (!stop_) {
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, 50) <= 0) continue;
    const ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // e.g. EIO: the other end is gone for now
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    for (ssize_t i = 0; i < n; ++i) {
      const char c = buf[i];
      if (c == '\n') {
        if (!partial_.empty()) {
          if (lines_.size() == kMaxLines) lines_.erase(lines_.begin());
          lines_.push_back({t, partial_});
        }
        partial_.clear();
      } else if (c != '\r' && partial_.size() < kMaxLineBytes) {
        partial_ += c;
      }
    }
  }
}

std::vector<ConsoleLine> ConsoleCapture::lines() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ConsoleLine> out = lines_;
  if (!partial_.empty())
    out.push_back({std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count(), partial_});
  return out;
}

std::optional<ConsoleLine> ConsoleCapture::wait_for(const std::string& pattern, std::chrono::milliseconds timeout) const {
  const std::regex re(pattern);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (const ConsoleLine& l : lines())
      if (std::regex_search(l.text, re)) return l;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string format_console(const std::vector<ConsoleLine>& lines) {
  std::string out;
  char stamp[32];
  for (const ConsoleLine& l : lines) {
    if (l.seconds >= 0) {
      std::snprintf(stamp, sizeof stamp, "+%.3f s ", l.seconds);
      out += stamp;
    }
    out += l.text + "\n";
  }
  return out;
}

}  // namespace fleetsim::hil
