// Fuzzes the SMP packet decoder (hil/protocol/smp_packet): the 8-byte header, the CBOR payload
// (nlohmann::json::from_cbor behind the nesting guard of hil/protocol/cbor_nesting_guard) and
// the error names. A packet that decodes must encode, and decoding that encoding must give a
// packet that encodes to the same bytes (encoding is deterministic, so NaN payloads compare too).
#include <cstdint>
#include <span>
#include <vector>

#include "hil/protocol/cbor_nesting_guard.hpp"
#include "hil/protocol/smp_error.hpp"
#include "hil/protocol/smp_packet.hpp"

namespace hil = fleetsim::hil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  (void)hil::cbor_nesting_exceeds(bytes, hil::kSmpMaxCborDepth);
  const auto header = hil::SmpHeader::decode(bytes);
  const auto packet = hil::SmpPacket::decode(bytes);
  if (!packet) {
    (void)hil::describe(packet.error());
    return 0;
  }
  if (!header || !(header.value() == packet.value().header)) __builtin_trap();
  (void)hil::make_response_to(packet.value().header);
  const auto encoded = packet.value().encode();
  if (!encoded) {
    // Only a payload that grows past 64 KiB when re-encoded (e.g. half floats become doubles).
    if (encoded.error() != hil::SmpEncodeError::PayloadTooLarge) __builtin_trap();
    return 0;
  }
  const auto again = hil::SmpPacket::decode(encoded.value());
  if (!again) __builtin_trap();
  const auto re_encoded = again.value().encode();
  if (!re_encoded || re_encoded.value() != encoded.value()) __builtin_trap();
  return 0;
}
