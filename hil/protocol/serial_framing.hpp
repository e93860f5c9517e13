// SMP console framing for serial transports (Zephyr "SMP Transport Specification",
// UART/serial and console):
//   raw = BE16(len(packet) + 2) ‖ packet ‖ BE16(CRC-16/XMODEM(packet)),
//   base64(raw) cut into ≤ 124-character pieces, one per line, the first line prefixed
//   0x06 0x09 and the others 0x04 0x14, each ended by '\n' (≤ 127 bytes per line).
// The framing knows nothing of SMP headers: it carries packet bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hil/protocol/result.hpp"

namespace fleetsim::hil {

inline constexpr std::size_t kSerialMaxPieceChars = 124;
inline constexpr std::size_t kSerialMaxLineBytes = 127;  // marker + piece + '\n'
// The 16-bit total counts the packet plus its 2-byte CRC.
inline constexpr std::size_t kSerialMaxPacketBytes = 0xFFFF - 2;

enum class SerialEncodeError { PacketTooLarge };

// The lines (markers and '\n' included) to write to the tty for one packet.
Result<std::vector<std::string>, SerialEncodeError> encode_serial_frame(
    std::span<const std::uint8_t> packet);

enum class SerialFrameError {
  BadBase64,                 // a frame line's piece is not valid base64
  CrcMismatch,               // complete frame, CRC-16 differs
  LengthMismatch,            // total < 2, or the lines carry more bytes than the total says
  ContinuationWithoutStart,  // 0x04 0x14 line with no frame in progress
  TruncatedFrame,            // a new start line arrived before the previous frame completed
  LineTooLong,               // a frame line longer than 127 bytes
};

std::string_view describe(SerialFrameError error);

// One outcome of the decoder: a complete packet whose CRC matched, or why a frame was dropped.
using SerialFrameEvent = Result<std::vector<std::uint8_t>, SerialFrameError>;

// Turns bytes read from a tty, in chunks of any size and split anywhere, into packets. Lines
// without a frame marker are console noise and are skipped. After an error the frame in
// progress is dropped and the rest of its continuation lines are skipped silently, so one
// damaged frame gives one error; decoding resumes at the next start line.
class SerialFrameDecoder {
 public:
  std::vector<SerialFrameEvent> feed(std::span<const std::uint8_t> bytes);
  std::vector<SerialFrameEvent> feed(std::string_view text);

  // True while a frame has started but is not complete (a transport's timeout may then reset).
  bool in_frame() const { return state_ == State::InFrame; }
  // Forgets any partial line and frame, e.g. after a timeout or reopening the tty (the console
  // lines already seen are kept).
  void reset();
  // The console lines (not frames) seen since the last call, '\r' stripped; at most the last
  // kMaxConsoleLines are kept, and a line longer than a frame line is lost.
  std::vector<std::string> take_console_lines();
  static constexpr std::size_t kMaxConsoleLines = 1000;

 private:
  enum class State { Idle, InFrame, SkippingFrame };

  void on_line(std::string_view line, std::vector<SerialFrameEvent>& out);
  void on_piece(std::string_view piece, bool start, std::vector<SerialFrameEvent>& out);
  void drop_frame(SerialFrameError error, std::vector<SerialFrameEvent>& out);

  std::string line_;              // bytes of the current line so far (capped)
  bool line_overflowed_ = false;  // current line exceeded the cap; its tail is being discarded
  State state_ = State::Idle;
  std::vector<std::uint8_t> frame_;  // decoded bytes of the frame in progress, total excluded
  std::size_t frame_total_ = 0;      // packet + CRC bytes announced by the start line
  std::vector<std::string> console_;
};

}  // namespace fleetsim::hil
