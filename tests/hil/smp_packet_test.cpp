#include "hil/protocol/smp_packet.hpp"
#include "tests/hil/smp_examples.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <iterator>
#include <random>
#include <vector>

using fleetsim::hil::kSmpV1;
using fleetsim::hil::kSmpV2;
using fleetsim::hil::make_response_to;
using fleetsim::hil::SmpDecodeError;
using fleetsim::hil::SmpEncodeError;
using fleetsim::hil::SmpHeader;
using fleetsim::hil::SmpOp;
using fleetsim::hil::SmpPacket;
using fleetsim::testing::kEchoExample;
using json = nlohmann::json;
using Bytes = std::vector<std::uint8_t>;

namespace {


Bytes with_header(std::uint8_t byte0, const Bytes& payload, std::uint16_t length) {
  // Header: byte 0, flags 0, length, group 1, seq 7, command 0.
  const std::uint8_t header[8] = {byte0,
                                  0x00,
                                  static_cast<std::uint8_t>(length >> 8),
                                  static_cast<std::uint8_t>(length & 0xFF),
                                  0x00,
                                  0x01,
                                  0x07,
                                  0x00};
  Bytes out(8 + payload.size());
  std::copy(std::begin(header), std::end(header), out.begin());
  std::copy(payload.begin(), payload.end(), out.begin() + 8);
  return out;
}

Bytes with_header(const Bytes& payload) {
  return with_header(0x09, payload, static_cast<std::uint16_t>(payload.size()));
}

}  // namespace

TEST_CASE("the worked echo example encodes to its hand-derived bytes", "[smp]") {
  SmpPacket packet;
  packet.header.op = SmpOp::Write;
  packet.header.version = kSmpV2;
  packet.header.group = 0;
  packet.header.seq = 0x42;
  packet.header.command = 0;
  packet.payload = {{"d", "hello"}};
  const auto bytes = packet.encode();
  REQUIRE(bytes.ok());
  CHECK(bytes.value() == kEchoExample);
}

TEST_CASE("the worked echo example decodes to its header fields and payload", "[smp]") {
  const auto packet = SmpPacket::decode(kEchoExample);
  REQUIRE(packet.ok());
  const SmpHeader& h = packet.value().header;
  CHECK(h.op == SmpOp::Write);
  CHECK(h.version == kSmpV2);
  CHECK(h.flags == 0);
  CHECK(h.length == 9);
  CHECK(h.group == 0);
  CHECK(h.seq == 0x42);
  CHECK(h.command == 0);
  CHECK(packet.value().payload == json{{"d", "hello"}});
}

TEST_CASE("header fields are big-endian and op and version share byte 0", "[smp]") {
  // 0x13 = version 2 (bits 3-4 = 10), op 3; group 0x0140, seq 0xff, command 0x21.
  const Bytes bytes = {0x13, 0x00, 0x12, 0x34, 0x01, 0x40, 0xff, 0x21};
  const auto header = SmpHeader::decode(bytes);
  REQUIRE(header.ok());
  CHECK(header.value().op == SmpOp::WriteResponse);
  CHECK(header.value().version == 2);  // decodes, so a server can answer rc 13
  CHECK(header.value().length == 0x1234);
  CHECK(header.value().group == 0x0140);
  CHECK(header.value().seq == 0xff);
  CHECK(header.value().command == 0x21);
  const auto again = header.value().encode();
  CHECK(Bytes(again.begin(), again.end()) == bytes);
}

TEST_CASE("a v1 read request has version bits zero", "[smp]") {
  SmpHeader header;
  header.op = SmpOp::Read;
  header.version = kSmpV1;
  header.group = 1;
  CHECK(header.encode()[0] == 0x00);
  header.op = SmpOp::ReadResponse;
  header.version = kSmpV2;
  CHECK(header.encode()[0] == 0x09);
}

TEST_CASE("fewer than 8 bytes is a truncated header", "[smp]") {
  for (std::size_t n = 0; n < 8; ++n) {
    const Bytes bytes(kEchoExample.begin(), kEchoExample.begin() + static_cast<long>(n));
    const auto packet = SmpPacket::decode(bytes);
    REQUIRE_FALSE(packet.ok());
    CHECK(packet.error() == SmpDecodeError::TruncatedHeader);
  }
}

TEST_CASE("reserved bits in header byte 0 are rejected", "[smp]") {
  for (const std::uint8_t bit : {0x20, 0x40, 0x80}) {
    const auto packet =
        SmpPacket::decode(with_header(static_cast<std::uint8_t>(0x0a | bit), {0xa0}, 1));
    REQUIRE_FALSE(packet.ok());
    CHECK(packet.error() == SmpDecodeError::ReservedBitsSet);
  }
}

TEST_CASE("op values 4 to 7 are rejected", "[smp]") {
  const auto packet = SmpPacket::decode(with_header(0x0c, {0xa0}, 1));
  REQUIRE_FALSE(packet.ok());
  CHECK(packet.error() == SmpDecodeError::UnknownOp);
}

TEST_CASE("a length larger than the bytes present is rejected", "[smp]") {
  Bytes cut = kEchoExample;
  cut.pop_back();
  const auto packet = SmpPacket::decode(cut);
  REQUIRE_FALSE(packet.ok());
  CHECK(packet.error() == SmpDecodeError::LengthExceedsData);
}

TEST_CASE("bytes beyond the declared length are rejected", "[smp]") {
  Bytes longer = kEchoExample;
  longer.push_back(0x00);
  const auto packet = SmpPacket::decode(longer);
  REQUIRE_FALSE(packet.ok());
  CHECK(packet.error() == SmpDecodeError::TrailingBytes);
}

TEST_CASE("a payload that is not well-formed CBOR is rejected", "[smp]") {
  // a1 61 64 (map of 1, key "d", value missing); 0xff alone (break outside a container);
  // a1 01 02 (integer key: not representable as a JSON object); bf a0 (unterminated map).
  for (const Bytes& payload : {Bytes{0xa1, 0x61, 0x64}, Bytes{0xff}, Bytes{0xa1, 0x01, 0x02},
                               Bytes{0xbf, 0x61, 0x61, 0xa0}}) {
    const auto packet = SmpPacket::decode(with_header(payload));
    REQUIRE_FALSE(packet.ok());
    CHECK(packet.error() == SmpDecodeError::BadCbor);
  }
}

TEST_CASE("a CBOR payload that is not a map is rejected", "[smp]") {
  const auto packet = SmpPacket::decode(with_header({0x82, 0x01, 0x02}));  // [1, 2]
  REQUIRE_FALSE(packet.ok());
  CHECK(packet.error() == SmpDecodeError::PayloadNotMap);
}

TEST_CASE("an indefinite-length map with a byte string decodes like the definite form", "[smp]") {
  // {"h": h'0102', "n": 5} as Zephyr sends it (bf … ff) and as clients send it (a2 …).
  const Bytes indefinite = {0xbf, 0x61, 0x68, 0x42, 0x01, 0x02, 0x61, 0x6e, 0x05, 0xff};
  const Bytes definite = {0xa2, 0x61, 0x68, 0x42, 0x01, 0x02, 0x61, 0x6e, 0x05};
  const auto a = SmpPacket::decode(with_header(indefinite));
  const auto b = SmpPacket::decode(with_header(definite));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  const json expected = {{"h", json::binary({0x01, 0x02})}, {"n", 5}};
  CHECK(a.value().payload == expected);
  CHECK(b.value().payload == expected);
  CHECK(a.value().payload["h"].is_binary());
}

TEST_CASE("indefinite-length arrays and maps nested as in a state read decode", "[smp]") {
  // {"images": [{"slot": 0, "active": true}], "splitStatus": 0}, all indefinite-length.
  Bytes payload = {0xbf, 0x66, 'i',  'm', 'a', 'g', 'e', 's', 0x9f, 0xbf, 0x64, 's',  'l',  'o',
                   't',  0x00, 0x66, 'a', 'c', 't', 'i', 'v', 'e',  0xf5, 0xff, 0xff, 0x6b, 's',
                   'p',  'l',  'i',  't', 'S', 't', 'a', 't', 'u',  's',  0x00, 0xff};
  const auto packet = SmpPacket::decode(with_header(payload));
  REQUIRE(packet.ok());
  const json expected = {{"images", json::array({{{"slot", 0}, {"active", true}}})},
                         {"splitStatus", 0}};
  CHECK(packet.value().payload == expected);
}

TEST_CASE("deeply nested CBOR is rejected without exhausting the stack", "[smp]") {
  // {"a": [[[…0…]]]} with 60000 levels: the recursive decoder alone would overflow the stack.
  Bytes payload = {0xa1, 0x61, 0x61};
  payload.insert(payload.end(), 60000, 0x81);
  payload.push_back(0x00);
  const auto packet = SmpPacket::decode(with_header(payload));
  REQUIRE_FALSE(packet.ok());
  CHECK(packet.error() == SmpDecodeError::CborTooDeep);

  Bytes indefinite(60000, 0x9f);  // unterminated indefinite arrays: same guard
  const auto open = SmpPacket::decode(with_header(indefinite));
  REQUIRE_FALSE(open.ok());
  CHECK(open.error() == SmpDecodeError::CborTooDeep);
}

TEST_CASE("containers with impossible item counts still count toward the depth limit", "[smp]") {
  // 9b ff ff ff ff ff ff ff ff: an array of 2^64-1 items, which nlohmann reads as
  // indefinite-length; 7000 of them nested would otherwise recurse 7000 deep.
  Bytes payload = {0xa1, 0x61, 0x61};
  for (int i = 0; i < 7000; ++i) {
    payload.push_back(0x9b);
    payload.insert(payload.end(), 8, 0xff);
  }
  payload.push_back(0x01);
  const auto packet = SmpPacket::decode(with_header(payload));
  REQUIRE_FALSE(packet.ok());
  CHECK(packet.error() == SmpDecodeError::CborTooDeep);
}

TEST_CASE("a declared container size beyond memory is a CBOR error, not an exception", "[smp]") {
  // nlohmann throws out_of_range 408 for these even with allow_exceptions=false.
  for (const std::uint8_t head : {0x9b, 0xbb}) {
    const Bytes payload = {0xa1, 0x61, 0x61, head, 0xf0, 0, 0, 0, 0, 0, 0, 0};
    const auto packet = SmpPacket::decode(with_header(payload));
    REQUIRE_FALSE(packet.ok());
    CHECK(packet.error() == SmpDecodeError::BadCbor);
  }
}

TEST_CASE("random CBOR-like payloads decode to a typed error or a stable map", "[smp]") {
  // Bytes biased toward container, tag and break heads, to exercise the depth guard and the
  // decoder's error paths. Anything accepted must survive an encode/decode round trip.
  std::mt19937 rng(7);
  const Bytes heads = {0x80, 0x81, 0x82, 0x9f, 0xa0, 0xa1, 0xbf, 0xff, 0xc6, 0x61, 0x41, 0x5f,
                       0x7f, 0x18, 0x19, 0x9b, 0xbb, 0xf5, 0xf9, 0xfb, 0x00, 0x20, 0x3b};
  std::size_t accepted = 0, rejected = 0;
  for (int round = 0; round < 5000; ++round) {
    Bytes payload = {0xbf, 0x61, 0x61};
    const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 200)(rng);
    for (std::size_t i = 0; i < n; ++i) {
      payload.push_back(rng() % 3 == 0 ? static_cast<std::uint8_t>(rng())
                                       : heads[rng() % heads.size()]);
    }
    if (round % 2 == 0) payload.push_back(0xff);
    const auto packet = SmpPacket::decode(with_header(payload));
    if (!packet.ok()) {
      ++rejected;
      continue;
    }
    ++accepted;
    const auto bytes = packet.value().encode();
    REQUIRE(bytes.ok());
    const auto again = SmpPacket::decode(bytes.value());
    REQUIRE(again.ok());
    // Compared as CBOR: a NaN float is stable there but unequal to itself as json.
    CHECK(json::to_cbor(again.value().payload) == json::to_cbor(packet.value().payload));
  }
  CHECK(rejected > 0);
  CHECK(accepted > 0);
}

TEST_CASE("nesting within the depth limit decodes", "[smp]") {
  Bytes payload = {0xa1, 0x61, 0x61};
  payload.insert(payload.end(), 20, 0x81);
  payload.push_back(0x07);
  const auto packet = SmpPacket::decode(with_header(payload));
  REQUIRE(packet.ok());
  json inner = 7;
  for (int i = 0; i < 20; ++i) inner = json::array({inner});
  CHECK(packet.value().payload == json{{"a", inner}});
}

TEST_CASE("an empty payload decodes as an empty map", "[smp]") {
  const auto packet = SmpPacket::decode(with_header({}));
  REQUIRE(packet.ok());
  CHECK(packet.value().payload == json::object());
}

TEST_CASE("a binary value is encoded as a CBOR byte string", "[smp]") {
  SmpPacket packet;
  packet.payload = {{"hash", json::binary(std::vector<std::uint8_t>(32, 0xab))}};
  const auto bytes = packet.encode();
  REQUIRE(bytes.ok());
  // header, a1, 64 "hash", then 58 20 (byte string, 1-byte length 32) and the bytes.
  REQUIRE(bytes.value().size() == 8 + 1 + 5 + 2 + 32);
  CHECK(bytes.value()[14] == 0x58);
  CHECK(bytes.value()[15] == 0x20);
  CHECK(bytes.value()[16] == 0xab);
}

TEST_CASE("encoding refuses a payload that is not a map", "[smp]") {
  SmpPacket packet;
  packet.payload = json::array({1, 2});
  const auto bytes = packet.encode();
  REQUIRE_FALSE(bytes.ok());
  CHECK(bytes.error() == SmpEncodeError::PayloadNotMap);
}

TEST_CASE("encoding refuses a payload longer than 65535 bytes", "[smp]") {
  SmpPacket packet;
  packet.payload = {{"data", json::binary(std::vector<std::uint8_t>(70000, 0))}};
  const auto bytes = packet.encode();
  REQUIRE_FALSE(bytes.ok());
  CHECK(bytes.error() == SmpEncodeError::PayloadTooLarge);
}

TEST_CASE("a response copies group, seq and command, with op + 1 and version capped", "[smp]") {
  SmpHeader request;
  request.op = SmpOp::Read;
  request.version = 3;
  request.group = 1;
  request.seq = 200;
  request.command = 1;
  const SmpPacket response = make_response_to(request);
  CHECK(response.header.op == SmpOp::ReadResponse);
  CHECK(response.header.version == kSmpV2);
  CHECK(response.header.group == 1);
  CHECK(response.header.seq == 200);
  CHECK(response.header.command == 1);

  request.op = SmpOp::Write;
  request.version = kSmpV1;
  CHECK(make_response_to(request).header.op == SmpOp::WriteResponse);
  CHECK(make_response_to(request).header.version == kSmpV1);
}
