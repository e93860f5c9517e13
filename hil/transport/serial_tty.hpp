// Opening a tty for SMP console traffic: raw mode (no echo, no newline translation), the given
// baud rate, non-blocking. Shared by the serial SMP client and the impaired serial link, which
// must open a board's tty exactly as the client would.
#pragma once

#include <cstdint>
#include <string>

namespace fleetsim::hil {

// The open file descriptor; throws std::runtime_error when `path` cannot be opened, is not a
// terminal, or `baud` is not a rate termios knows.
int open_raw_tty(const std::string& path, std::uint32_t baud);

}  // namespace fleetsim::hil
