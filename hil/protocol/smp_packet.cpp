#include "hil/protocol/smp_packet.hpp"

#include <algorithm>

#include "hil/protocol/cbor_nesting_guard.hpp"

namespace fleetsim::hil {

using nlohmann::json;

std::string_view describe(SmpDecodeError error) {
  switch (error) {
    case SmpDecodeError::TruncatedHeader: return "truncated SMP header (fewer than 8 bytes)";
    case SmpDecodeError::ReservedBitsSet: return "reserved bits set in SMP header byte 0";
    case SmpDecodeError::UnknownOp: return "unknown SMP op (expected 0-3)";
    case SmpDecodeError::LengthExceedsData: return "SMP length larger than the bytes present";
    case SmpDecodeError::TrailingBytes: return "bytes after the SMP payload";
    case SmpDecodeError::BadCbor: return "SMP payload is not valid CBOR";
    case SmpDecodeError::CborTooDeep: return "SMP payload CBOR nests too deeply";
    case SmpDecodeError::PayloadNotMap: return "SMP payload is not a CBOR map";
  }
  return "unknown SMP decode error";
}

std::string_view describe(SmpEncodeError error) {
  switch (error) {
    case SmpEncodeError::PayloadNotMap: return "SMP payload must be a map";
    case SmpEncodeError::PayloadTooLarge: return "SMP payload exceeds 65535 bytes";
  }
  return "unknown SMP encode error";
}

std::array<std::uint8_t, SmpHeader::kSize> SmpHeader::encode() const {
  return {
      static_cast<std::uint8_t>((static_cast<std::uint8_t>(op) & 0x07) | ((version & 0x03) << 3)),
      flags,
      static_cast<std::uint8_t>(length >> 8),
      static_cast<std::uint8_t>(length & 0xFF),
      static_cast<std::uint8_t>(group >> 8),
      static_cast<std::uint8_t>(group & 0xFF),
      seq,
      command,
  };
}

Result<SmpHeader, SmpDecodeError> SmpHeader::decode(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kSize) return fail(SmpDecodeError::TruncatedHeader);
  if ((bytes[0] & 0xE0) != 0) return fail(SmpDecodeError::ReservedBitsSet);
  const std::uint8_t op = bytes[0] & 0x07;
  if (op > static_cast<std::uint8_t>(SmpOp::WriteResponse)) return fail(SmpDecodeError::UnknownOp);
  SmpHeader header;
  header.op = static_cast<SmpOp>(op);
  header.version = static_cast<std::uint8_t>((bytes[0] >> 3) & 0x03);
  header.flags = bytes[1];
  header.length = static_cast<std::uint16_t>((bytes[2] << 8) | bytes[3]);
  header.group = static_cast<std::uint16_t>((bytes[4] << 8) | bytes[5]);
  header.seq = bytes[6];
  header.command = bytes[7];
  return header;
}

Result<std::vector<std::uint8_t>, SmpEncodeError> SmpPacket::encode() const {
  if (!payload.is_object()) return fail(SmpEncodeError::PayloadNotMap);
  const std::vector<std::uint8_t> cbor = json::to_cbor(payload);
  if (cbor.size() > 0xFFFF) return fail(SmpEncodeError::PayloadTooLarge);
  SmpHeader out = header;
  out.length = static_cast<std::uint16_t>(cbor.size());
  const auto head = out.encode();
  std::vector<std::uint8_t> bytes(head.begin(), head.end());
  bytes.insert(bytes.end(), cbor.begin(), cbor.end());
  return bytes;
}

Result<SmpPacket, SmpDecodeError> SmpPacket::decode(std::span<const std::uint8_t> bytes) {
  auto header = SmpHeader::decode(bytes);
  if (!header) return fail(header.error());
  const std::size_t total = SmpHeader::kSize + header.value().length;
  if (bytes.size() < total) return fail(SmpDecodeError::LengthExceedsData);
  if (bytes.size() > total) return fail(SmpDecodeError::TrailingBytes);

  SmpPacket packet;
  packet.header = header.value();
  const auto cbor = bytes.subspan(SmpHeader::kSize);
  if (cbor.empty()) return packet;
  if (cbor_nesting_exceeds(cbor, kSmpMaxCborDepth)) return fail(SmpDecodeError::CborTooDeep);
  // allow_exceptions=false: malformed input (incl. trailing bytes, non-text map keys, tags)
  // comes back as a discarded value. Declared sizes beyond max_size() still throw (3.11).
  json decoded;
  try {
    decoded = json::from_cbor(cbor.begin(), cbor.end(), /*strict=*/true,
                              /*allow_exceptions=*/false);
  } catch (const json::exception&) {
    return fail(SmpDecodeError::BadCbor);
  }
  if (decoded.is_discarded()) return fail(SmpDecodeError::BadCbor);
  if (!decoded.is_object()) return fail(SmpDecodeError::PayloadNotMap);
  packet.payload = std::move(decoded);
  return packet;
}

SmpPacket make_response_to(const SmpHeader& request) {
  SmpPacket response;
  response.header = request;
  response.header.op = static_cast<SmpOp>((static_cast<std::uint8_t>(request.op) | 1));
  response.header.version = std::min(request.version, kSmpV2);
  response.header.length = 0;
  return response;
}

}  // namespace fleetsim::hil
