// SMP client over a serial console (Zephyr "SMP Transport Specification", UART/serial): any tty
// path — a board's /dev/ttyACM0 or the emulator's pseudo-terminal. Requests are written as console
// frames (hil/protocol/serial_framing.hpp), responses are read line by line; console noise and
// damaged frames are skipped, and a request without a matching answer in time is written again with
// the same sequence number.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hil/protocol/serial_framing.hpp"
#include "hil/transport/smp_transport.hpp"

namespace fleetsim::hil {

// A packet size every SMP serial server accepts; larger only when mcumgr params says so.
inline constexpr std::size_t kSerialDefaultPacketBytes = 256;

class SerialSmpClient final : public SmpTransport {
 public:
  // Opens `path` (raw mode, `baud`); throws std::runtime_error when it cannot be opened or the
  // baud rate is not one termios knows. `emulate_baud`: hold writes to the line rate of `baud`
  // (8N1, 10 bits a byte) — a pseudo-terminal has no line rate of its own, and this makes an
  // emulator over a pty behave like a board on a real UART.
  SerialSmpClient(const std::string& path, std::uint32_t baud = 115200, TransportTiming timing = {},
                  bool emulate_baud = false);
  ~SerialSmpClient() override;
  SerialSmpClient(const SerialSmpClient&) = delete;
  SerialSmpClient& operator=(const SerialSmpClient&) = delete;

  Result<SmpPacket, TransportError> transact(const SmpPacket& request) override;
  std::size_t max_packet_size() const override { return kSerialMaxPacketBytes; }
  const std::string& uri() const override { return uri_; }
  void set_timing(TransportTiming timing) override { timing_ = timing; }
  TransportTiming timing() const override { return timing_; }
  std::size_t retransmissions() const override { return retransmissions_; }
  std::vector<std::string> take_console_lines() override { return decoder_.take_console_lines(); }
  // Frames dropped by the decoder (bad CRC, bad base64, truncated), for reports.
  std::size_t damaged_frames() const { return damaged_frames_; }
  // Bytes written to the tty so far (frames, markers and newlines included).
  std::size_t bytes_written() const { return bytes_written_; }

 private:
  std::optional<TransportError> write_all(const std::string& bytes);

  int fd_ = -1;
  TransportTiming timing_;
  std::string uri_;
  SerialFrameDecoder decoder_;
  std::size_t retransmissions_ = 0;
  std::size_t damaged_frames_ = 0;
  std::size_t bytes_written_ = 0;
  double byte_seconds_ = 0;  // 10 / baud when emulating the line rate, else 0
  std::chrono::steady_clock::time_point line_free_;
};

}  // namespace fleetsim::hil
