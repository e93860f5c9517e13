#include "hil/protocol/serial_framing.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "hil/protocol/crc16_xmodem.hpp"
#include "hil/protocol/smp_packet.hpp"
#include "tests/hil/smp_examples.hpp"

using fleetsim::hil::crc16_xmodem;
using fleetsim::hil::encode_serial_frame;
using fleetsim::hil::SerialEncodeError;
using fleetsim::hil::SerialFrameDecoder;
using fleetsim::hil::SerialFrameError;
using fleetsim::hil::SerialFrameEvent;
using fleetsim::hil::SmpOp;
using fleetsim::hil::SmpPacket;
using fleetsim::testing::kEchoExample;
using json = nlohmann::json;
using Bytes = std::vector<std::uint8_t>;

namespace {

const std::string kEchoLine = std::string("\x06\x09") + "ABMKAAAJAABCAKFhZGVoZWxsb0YZ\n";

// An image upload packet of exactly 600 bytes: 8 header + a2, "off", 0, "data", 59 02 42 and
// 578 data bytes.
Bytes upload_packet(std::uint8_t fill) {
  SmpPacket packet;
  packet.header.op = SmpOp::Write;
  packet.header.group = 1;
  packet.header.command = 1;
  packet.payload = {{"off", 0}, {"data", json::binary(Bytes(578, fill))}};
  return packet.encode().value();
}

std::vector<std::string> frame_lines(const Bytes& packet) {
  return encode_serial_frame(packet).value();
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line;
  return out;
}

std::vector<Bytes> packets_of(const std::vector<SerialFrameEvent>& events) {
  std::vector<Bytes> out;
  for (const auto& event : events) {
    if (event.ok()) out.push_back(event.value());
  }
  return out;
}

std::vector<SerialFrameError> errors_of(const std::vector<SerialFrameEvent>& events) {
  std::vector<SerialFrameError> out;
  for (const auto& event : events) {
    if (!event.ok()) out.push_back(event.error());
  }
  return out;
}

}  // namespace

TEST_CASE("CRC-16/XMODEM of \"123456789\" is the check value 0x31C3", "[smp]") {
  const std::string text = "123456789";
  CHECK(crc16_xmodem(Bytes(text.begin(), text.end())) == 0x31C3);
}

TEST_CASE("the CRC of the worked echo packet is 0x4619", "[smp]") {
  CHECK(crc16_xmodem(kEchoExample) == 0x4619);
}

TEST_CASE("the worked echo packet frames to a single console line", "[smp]") {
  const auto lines = encode_serial_frame(kEchoExample);
  REQUIRE(lines.ok());
  REQUIRE(lines.value().size() == 1);
  CHECK(lines.value()[0] == kEchoLine);
}

TEST_CASE("the worked echo line decodes to the packet", "[smp]") {
  SerialFrameDecoder decoder;
  const auto events = decoder.feed(kEchoLine);
  REQUIRE(events.size() == 1);
  REQUIRE(events[0].ok());
  CHECK(events[0].value() == kEchoExample);
  CHECK_FALSE(decoder.in_frame());
}

TEST_CASE("a 600-byte packet spans seven lines of at most 127 bytes", "[smp]") {
  const Bytes packet = upload_packet(0x5a);
  REQUIRE(packet.size() == 600);
  // raw = 604 bytes → 808 base64 characters → 6 pieces of 124 and one of 64.
  const auto lines = frame_lines(packet);
  REQUIRE(lines.size() == 7);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CHECK(lines[i].size() <= 127);
    CHECK(lines[i].back() == '\n');
    CHECK(lines[i][0] == (i == 0 ? '\x06' : '\x04'));
    CHECK(lines[i][1] == (i == 0 ? '\x09' : '\x14'));
  }
  CHECK(lines[0].size() == 127);
  CHECK(lines[6].size() == 2 + 64 + 1);
}

TEST_CASE("a multi-line frame fed in one piece round-trips", "[smp]") {
  const Bytes packet = upload_packet(0x5a);
  SerialFrameDecoder decoder;
  const auto events = decoder.feed(joined(frame_lines(packet)));
  REQUIRE(events.size() == 1);
  REQUIRE(events[0].ok());
  CHECK(events[0].value() == packet);
}

TEST_CASE("a multi-line frame fed in tty-sized chunks round-trips", "[smp]") {
  const Bytes packet = upload_packet(0x33);
  const std::string text = joined(frame_lines(packet));
  for (const std::size_t chunk :
       {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{127}}) {
    SerialFrameDecoder decoder;
    std::vector<Bytes> got;
    for (std::size_t pos = 0; pos < text.size(); pos += chunk) {
      for (auto& p : packets_of(decoder.feed(text.substr(pos, chunk)))) got.push_back(p);
      if (pos + chunk < text.size()) CHECK(got.empty());
    }
    REQUIRE(got.size() == 1);
    CHECK(got[0] == packet);
  }
}

TEST_CASE("noise lines between frame lines are ignored", "[smp]") {
  const Bytes packet = upload_packet(0x11);
  const auto lines = frame_lines(packet);
  std::string text = "*** Booting Zephyr OS ***\n";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    text += lines[i];
    text += i % 2 == 0 ? "[00:00:01.000,000] <inf> app: tick\n" : "\r\n";
    text += std::string(300, 'x') + "\n";  // long console output is noise, not an error
  }
  SerialFrameDecoder decoder;
  const auto events = decoder.feed(text);
  REQUIRE(events.size() == 1);
  REQUIRE(events[0].ok());
  CHECK(events[0].value() == packet);
}

TEST_CASE("a leading carriage return before a marker is stripped", "[smp]") {
  SerialFrameDecoder decoder;
  const auto events = decoder.feed("\r" + kEchoLine);
  REQUIRE(events.size() == 1);
  REQUIRE(events[0].ok());
  CHECK(events[0].value() == kEchoExample);
}

TEST_CASE("a corrupted CRC is rejected", "[smp]") {
  // Last character 'Z' → 'a' turns the CRC's low byte 0x19 into 0x1a.
  std::string line = kEchoLine;
  line[line.size() - 2] = 'a';
  SerialFrameDecoder decoder;
  const auto events = decoder.feed(line);
  REQUIRE(events.size() == 1);
  REQUIRE_FALSE(events[0].ok());
  CHECK(events[0].error() == SerialFrameError::CrcMismatch);
  // The decoder is ready for the next frame straight away.
  const auto next = decoder.feed(kEchoLine);
  REQUIRE(next.size() == 1);
  CHECK(next[0].ok());
}

TEST_CASE("a frame cut short by a new start line is reported as truncated", "[smp]") {
  const auto lines = frame_lines(upload_packet(0x22));
  SerialFrameDecoder decoder;
  auto events = decoder.feed(lines[0] + lines[1]);
  CHECK(events.empty());
  CHECK(decoder.in_frame());
  events = decoder.feed(kEchoLine);
  REQUIRE(events.size() == 2);
  REQUIRE_FALSE(events[0].ok());
  CHECK(events[0].error() == SerialFrameError::TruncatedFrame);
  REQUIRE(events[1].ok());
  CHECK(events[1].value() == kEchoExample);
}

TEST_CASE("reset drops a partial frame", "[smp]") {
  const auto lines = frame_lines(upload_packet(0x22));
  SerialFrameDecoder decoder;
  decoder.feed(lines[0] + lines[1]);
  decoder.reset();
  CHECK_FALSE(decoder.in_frame());
  const auto events = decoder.feed(lines[2]);
  REQUIRE(events.size() == 1);
  REQUIRE_FALSE(events[0].ok());
  CHECK(events[0].error() == SerialFrameError::ContinuationWithoutStart);
}

TEST_CASE("a continuation line without a start line is an error, then decoding resumes", "[smp]") {
  const auto lines = frame_lines(upload_packet(0x44));
  SerialFrameDecoder decoder;
  const auto events = decoder.feed(lines[3] + kEchoLine);
  REQUIRE(events.size() == 2);
  REQUIRE_FALSE(events[0].ok());
  CHECK(events[0].error() == SerialFrameError::ContinuationWithoutStart);
  REQUIRE(events[1].ok());
  CHECK(events[1].value() == kEchoExample);
}

TEST_CASE("bad base64 drops the frame with one error and the next frame decodes", "[smp]") {
  auto lines = frame_lines(upload_packet(0x55));
  lines[2][10] = '*';
  std::string text = joined(lines) + kEchoLine;
  SerialFrameDecoder decoder;
  const auto events = decoder.feed(text);
  CHECK(errors_of(events) == std::vector{SerialFrameError::BadBase64});
  const auto packets = packets_of(events);
  REQUIRE(packets.size() == 1);
  CHECK(packets[0] == kEchoExample);
}

TEST_CASE("base64 with misplaced padding or an odd length is rejected", "[smp]") {
  for (const std::string piece : {"AB=KAAAJ", "ABMKAAA", "ABMK AAJ"}) {
    SerialFrameDecoder decoder;
    const auto events = decoder.feed("\x06\x09" + piece + "\n");
    REQUIRE(events.size() == 1);
    REQUIRE_FALSE(events[0].ok());
    CHECK(events[0].error() == SerialFrameError::BadBase64);
  }
}

TEST_CASE("lines carrying more bytes than the announced total are rejected", "[smp]") {
  // raw 00 03 | 01 02 03 04: total says 3 bytes (1 packet + 2 CRC) but 4 follow.
  // base64("\x00\x03\x01\x02\x03\x04") = "AAMBAgME".
  SerialFrameDecoder decoder;
  const auto events = decoder.feed(std::string("\x06\x09") + "AAMBAgME\n");
  REQUIRE(events.size() == 1);
  REQUIRE_FALSE(events[0].ok());
  CHECK(events[0].error() == SerialFrameError::LengthMismatch);
}

TEST_CASE("a total below the CRC size is rejected", "[smp]") {
  // raw 00 01 ab: base64 "AAGr".
  SerialFrameDecoder decoder;
  const auto events = decoder.feed(std::string("\x06\x09") + "AAGr\n");
  REQUIRE(events.size() == 1);
  REQUIRE_FALSE(events[0].ok());
  CHECK(events[0].error() == SerialFrameError::LengthMismatch);
}

TEST_CASE("a frame line longer than 127 bytes is rejected", "[smp]") {
  SerialFrameDecoder decoder;
  const auto events = decoder.feed("\x06\x09" + std::string(200, 'A') + "\n" + kEchoLine);
  REQUIRE(events.size() == 2);
  REQUIRE_FALSE(events[0].ok());
  CHECK(events[0].error() == SerialFrameError::LineTooLong);
  REQUIRE(events[1].ok());
  CHECK(events[1].value() == kEchoExample);
}

TEST_CASE("packets too large for the 16-bit total are not framed", "[smp]") {
  const auto lines = encode_serial_frame(Bytes(65534, 0));
  REQUIRE_FALSE(lines.ok());
  CHECK(lines.error() == SerialEncodeError::PacketTooLarge);
  CHECK(encode_serial_frame(Bytes(65533, 0)).ok());
}

TEST_CASE("random garbage never crashes and never yields a corrupted packet", "[smp]") {
  std::mt19937 rng(20261126);
  const auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };

  // Valid frames, the only packets the decoder may ever return.
  std::vector<Bytes> originals;
  for (std::uint8_t fill = 0; fill < 8; ++fill) originals.push_back(upload_packet(fill));
  originals.push_back(kEchoExample);
  const std::set<Bytes> allowed(originals.begin(), originals.end());

  SerialFrameDecoder decoder;
  std::size_t packets = 0, errors = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string text;
    switch (pick(4)) {
      case 0: {  // random bytes, markers and newlines included by chance
        text.resize(1 + pick(300));
        for (auto& c : text) c = static_cast<char>(pick(256));
        break;
      }
      case 1: {  // random bytes behind a frame marker
        text = pick(2) ? "\x06\x09" : "\x04\x14";
        for (std::size_t i = pick(130); i > 0; --i) text.push_back(static_cast<char>(pick(256)));
        text.push_back('\n');
        break;
      }
      case 2: {  // a valid frame with a few characters changed
        text = joined(frame_lines(originals[pick(originals.size())]));
        for (std::size_t i = 1 + pick(3); i > 0; --i)
          text[pick(text.size())] = static_cast<char>(pick(256));
        break;
      }
      default:  // an intact frame
        text = joined(frame_lines(originals[pick(originals.size())]));
    }
    // Fed in random chunk sizes, as a tty delivers.
    for (std::size_t pos = 0; pos < text.size();) {
      const std::size_t n = 1 + pick(64);
      for (const auto& event : decoder.feed(text.substr(pos, n))) {
        if (event.ok()) {
          ++packets;
          CHECK(allowed.count(event.value()) == 1);
        } else {
          ++errors;
        }
      }
      pos += n;
    }
  }
  CHECK(packets > 500);
  CHECK(errors > 500);
}
