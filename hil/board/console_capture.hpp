// Recording a board's console while its update runs (README "Console capture"): a thread reads
// the console tty (a UDP board's `console` URI in boards.json) line by line, each line stamped
// with the seconds since the capture started. A serial board's console shares the SMP tty; its
// lines come from the SMP client instead (SmpTransport::take_console_lines).
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hil/transport/transport_uri.hpp"

namespace fleetsim::hil {

struct ConsoleLine {
  double seconds = 0;  // since start(); -1 when not known (lines read by the SMP client)
  std::string text;
};

class ConsoleCapture {
 public:
  // Opens the console tty (a serial:// URI); throws std::runtime_error naming it.
  explicit ConsoleCapture(const TransportUri& uri);
  ~ConsoleCapture();
  ConsoleCapture(const ConsoleCapture&) = delete;
  ConsoleCapture& operator=(const ConsoleCapture&) = delete;

  // Forgets what was read so far and restarts the clock (an update begins).
  void start();
  // The lines read since start(); a partial last line counts as a line.
  std::vector<ConsoleLine> lines() const;
  // Waits until a line matching `pattern` (ECMAScript regex) has been read since start() or
  // `timeout` passes; the matching line, or nullopt.
  std::optional<ConsoleLine> wait_for(const std::string& pattern, std::chrono::milliseconds timeout) const;

 private:
  void run();

  int fd_ = -1;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::chrono::steady_clock::time_point started_;
  std::vector<ConsoleLine> lines_;
  std::string partial_;
  std::thread thread_;
};

// "+1.234 s *** Booting Zephyr OS ***" per line (no stamp for a line without a time).
std::string format_console(const std::vector<ConsoleLine>& lines);

}  // namespace fleetsim::hil
