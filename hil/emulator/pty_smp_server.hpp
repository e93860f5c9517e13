// Serves a BoardEmulator on a pseudo-terminal with the SMP console framing of
// hil/protocol/serial_framing.hpp (Zephyr "SMP Transport Specification", UART/serial): the emulator
// opens a pty pair (posix_openpt), keeps the subsidiary side open in raw mode, and clients open its
// path like a board's tty. Noise lines and damaged frames are skipped; after answering a reset the
// server stays silent for the reset time (input is discarded), then performs the reset.
// Link faults: a dropped request gets no reply; a corrupted reply has one base64 character of
// its first line changed inside the packet bytes, so the receiver's CRC check fails.
#pragma once

#include <atomic>
#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "hil/emulator/board_emulator.hpp"
#include "hil/emulator/board_link_faults.hpp"
#include "hil/emulator/pty_pair.hpp"

namespace fleetsim::hil {

class PtySmpServer {
 public:
  // Opens the pty pair; throws std::runtime_error.
  PtySmpServer(BoardEmulator& emulator, std::chrono::milliseconds reset_time,
               BoardLinkFaults faults = {});
  ~PtySmpServer();
  PtySmpServer(const PtySmpServer&) = delete;
  PtySmpServer& operator=(const PtySmpServer&) = delete;

  // The path clients open, e.g. "/dev/pts/3".
  const std::string& path() const { return pty_.path(); }

  // Console output on the same tty, between SMP frames (the board's boot banner): a client
  // skips such lines as noise or records them as the board's console.
  void print(std::string_view text);

  // Serves until `stop` becomes true (checked at least every 100 ms and on EINTR).
  void run(const std::atomic<bool>& stop);

 private:
  void write_all(std::span<const char> bytes, const std::atomic<bool>& stop);

  BoardEmulator& emulator_;
  std::chrono::milliseconds reset_time_;
  BoardLinkFaults faults_;
  PtyPair pty_;
  int master_ = -1;  // pty_.manager()
};

}  // namespace fleetsim::hil
