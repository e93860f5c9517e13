#include "hil/protocol/serial_framing.hpp"

#include <algorithm>
#include <utility>

#include "hil/protocol/base64.hpp"
#include "hil/protocol/crc16_xmodem.hpp"

namespace fleetsim::hil {

namespace {

constexpr char kStart[] = {0x06, 0x09};
constexpr char kContinuation[] = {0x04, 0x14};

bool starts_with(std::string_view line, const char (&marker)[2]) {
  return line.size() >= 2 && line[0] == marker[0] && line[1] == marker[1];
}

}  // namespace

Result<std::vector<std::string>, SerialEncodeError> encode_serial_frame(
    std::span<const std::uint8_t> packet) {
  if (packet.size() > kSerialMaxPacketBytes) return fail(SerialEncodeError::PacketTooLarge);
  const std::size_t total = packet.size() + 2;
  const std::uint16_t crc = crc16_xmodem(packet);
  std::vector<std::uint8_t> raw;
  raw.reserve(total + 2);
  raw.push_back(static_cast<std::uint8_t>(total >> 8));
  raw.push_back(static_cast<std::uint8_t>(total & 0xFF));
  raw.insert(raw.end(), packet.begin(), packet.end());
  raw.push_back(static_cast<std::uint8_t>(crc >> 8));
  raw.push_back(static_cast<std::uint8_t>(crc & 0xFF));

  // 124 is a multiple of 4, so every piece is independently decodable base64.
  const std::string text = base64_encode(raw);
  std::vector<std::string> lines;
  for (std::size_t pos = 0; pos < text.size(); pos += kSerialMaxPieceChars) {
    const auto& marker = pos == 0 ? kStart : kContinuation;
    std::string line(marker, 2);
    line.append(text, pos, kSerialMaxPieceChars);
    line.push_back('\n');
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string_view describe(SerialFrameError error) {
  switch (error) {
    case SerialFrameError::BadBase64: return "serial frame line is not valid base64";
    case SerialFrameError::CrcMismatch: return "serial frame CRC mismatch";
    case SerialFrameError::LengthMismatch: return "serial frame length does not match its data";
    case SerialFrameError::ContinuationWithoutStart:
      return "serial continuation line without a start line";
    case SerialFrameError::TruncatedFrame: return "serial frame cut short by a new frame";
    case SerialFrameError::LineTooLong: return "serial frame line longer than 127 bytes";
  }
  return "unknown serial frame error";
}

std::vector<SerialFrameEvent> SerialFrameDecoder::feed(std::string_view text) {
  return feed(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::vector<SerialFrameEvent> SerialFrameDecoder::feed(std::span<const std::uint8_t> bytes) {
  std::vector<SerialFrameEvent> out;
  for (const std::uint8_t byte : bytes) {
    const char c = static_cast<char>(byte);
    if (c == '\n') {
      if (line_overflowed_) {
        // Only a frame line that is too long is an error; long console output is just noise.
        std::string_view head = line_;
        if (!head.empty() && head.front() == '\r') head.remove_prefix(1);
        if (starts_with(head, kStart) ||
            (state_ == State::InFrame && starts_with(head, kContinuation))) {
          drop_frame(SerialFrameError::LineTooLong, out);
        }
      } else {
        on_line(line_, out);
      }
      line_.clear();
      line_overflowed_ = false;
      continue;
    }
    if (line_overflowed_) continue;
    // A frame line holds at most 126 bytes before its '\n', plus a leading '\r' some consoles
    // emit; anything longer is not a valid frame line, so the buffer stays bounded.
    if (line_.size() >= kSerialMaxLineBytes) {
      line_overflowed_ = true;
      continue;
    }
    line_.push_back(c);
  }
  return out;
}

std::vector<std::string> SerialFrameDecoder::take_console_lines() { return std::exchange(console_, {}); }

void SerialFrameDecoder::reset() {
  line_.clear();
  line_overflowed_ = false;
  state_ = State::Idle;
  frame_.clear();
  frame_total_ = 0;
}

void SerialFrameDecoder::on_line(std::string_view line, std::vector<SerialFrameEvent>& out) {
  if (!line.empty() && line.front() == '\r') line.remove_prefix(1);
  const bool start = starts_with(line, kStart);
  if (!start && !starts_with(line, kContinuation)) {  // console output
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return;
    if (console_.size() == kMaxConsoleLines) console_.erase(console_.begin());
    console_.emplace_back(line);
    return;
  }
  line.remove_prefix(2);
  // Tolerate CRLF line ends too; '\r' is never part of base64.
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  on_piece(line, start, out);
}

void SerialFrameDecoder::on_piece(std::string_view piece, bool start,
                                  std::vector<SerialFrameEvent>& out) {
  if (start) {
    if (state_ == State::InFrame) drop_frame(SerialFrameError::TruncatedFrame, out);
    state_ = State::Idle;
    frame_.clear();
  } else if (state_ == State::SkippingFrame) {
    return;
  } else if (state_ == State::Idle) {
    out.emplace_back(fail(SerialFrameError::ContinuationWithoutStart));
    return;
  }

  auto decoded = base64_decode(piece);
  if (!decoded) return drop_frame(SerialFrameError::BadBase64, out);
  std::span<const std::uint8_t> data = *decoded;
  if (start) {
    if (data.size() < 2) return drop_frame(SerialFrameError::LengthMismatch, out);
    frame_total_ = static_cast<std::size_t>((data[0] << 8) | data[1]);
    if (frame_total_ < 2) return drop_frame(SerialFrameError::LengthMismatch, out);
    data = data.subspan(2);
    state_ = State::InFrame;
  }
  if (frame_.size() + data.size() > frame_total_) {
    return drop_frame(SerialFrameError::LengthMismatch, out);
  }
  frame_.insert(frame_.end(), data.begin(), data.end());
  if (frame_.size() < frame_total_) return;

  const std::size_t packet_size = frame_total_ - 2;
  const auto packet = std::span<const std::uint8_t>(frame_).first(packet_size);
  const auto crc = static_cast<std::uint16_t>((frame_[packet_size] << 8) | frame_[packet_size + 1]);
  if (crc16_xmodem(packet) != crc) {
    state_ = State::Idle;  // the frame is complete: nothing more of it to skip
    frame_.clear();
    out.emplace_back(fail(SerialFrameError::CrcMismatch));
    return;
  }
  out.emplace_back(std::vector<std::uint8_t>(packet.begin(), packet.end()));
  state_ = State::Idle;
  frame_.clear();
}

void SerialFrameDecoder::drop_frame(SerialFrameError error, std::vector<SerialFrameEvent>& out) {
  out.emplace_back(fail(error));
  state_ = State::SkippingFrame;
  frame_.clear();
  frame_total_ = 0;
}

}  // namespace fleetsim::hil
