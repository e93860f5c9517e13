// SMP (MCUmgr) packets: the 8-byte big-endian header and the CBOR map payload (Zephyr "SMP Protocol
// Specification", frame header; CBOR per RFC 8949). Shared by the UDP and serial transports, the
// bridge and the board emulator.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string_view>
#include <vector>

#include "hil/protocol/result.hpp"

namespace fleetsim::hil {

enum class SmpOp : std::uint8_t { Read = 0, ReadResponse = 1, Write = 2, WriteResponse = 3 };

// Header version field values. Values 2 and 3 fit the bits and decode; a server answers them
// with rc 13 (UNSUPPORTED_TOO_NEW).
inline constexpr std::uint8_t kSmpV1 = 0;
inline constexpr std::uint8_t kSmpV2 = 1;

enum class SmpDecodeError {
  TruncatedHeader,    // fewer than 8 bytes
  ReservedBitsSet,    // bits 5-7 of byte 0 are not zero
  UnknownOp,          // OP 4-7
  LengthExceedsData,  // header length runs past the bytes present (server: rc 9)
  TrailingBytes,      // bytes present beyond header + length
  BadCbor,            // payload is not well-formed CBOR nlohmann::json can represent
  CborTooDeep,        // nesting beyond kSmpMaxCborDepth (guards the recursive decoder)
  PayloadNotMap,      // well-formed CBOR, but not a map
};

enum class SmpEncodeError {
  PayloadNotMap,
  PayloadTooLarge,  // CBOR longer than the 16-bit length field
};

std::string_view describe(SmpDecodeError error);
std::string_view describe(SmpEncodeError error);

// SMP payloads are flat maps with a few nested levels ("images": [{...}]); far below this.
inline constexpr std::size_t kSmpMaxCborDepth = 32;

struct SmpHeader {
  static constexpr std::size_t kSize = 8;

  SmpOp op = SmpOp::Read;
  std::uint8_t version = kSmpV2;  // 0..3
  std::uint8_t flags = 0;
  std::uint16_t length = 0;  // payload bytes, header excluded
  std::uint16_t group = 0;
  std::uint8_t seq = 0;
  std::uint8_t command = 0;

  std::array<std::uint8_t, kSize> encode() const;
  // Reads the first 8 bytes; whatever follows is not looked at (a transport uses `length` to
  // know how many bytes make the packet).
  static Result<SmpHeader, SmpDecodeError> decode(std::span<const std::uint8_t> bytes);

  friend bool operator==(const SmpHeader&, const SmpHeader&) = default;
};

struct SmpPacket {
  SmpHeader header;
  nlohmann::json payload = nlohmann::json::object();

  // Header bytes with `length` set from the encoded payload (header.length is ignored), then
  // the payload as definite-length CBOR.
  Result<std::vector<std::uint8_t>, SmpEncodeError> encode() const;
  // Exactly one packet: header + `length` payload bytes. Definite and indefinite-length CBOR
  // are accepted; an empty payload reads as an empty map (tolerates peers that send no body).
  static Result<SmpPacket, SmpDecodeError> decode(std::span<const std::uint8_t> bytes);
};

// The response a server sends to `request`: same group/seq/command, op + 1,
// version = min(request version, v2), payload left empty for the caller to fill.
SmpPacket make_response_to(const SmpHeader& request);

}  // namespace fleetsim::hil
