// Bounds the nesting depth of CBOR before it reaches nlohmann::json::from_cbor, whose parser
// recurses once per nested array/map: a 64 KiB payload of 0x81 bytes overflows the stack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace fleetsim::hil {

// True when the CBOR data item(s) in `bytes` nest arrays/maps/tags/indefinite strings deeper than
// `max_depth` before the scan ends. The scan stops (returning false) at the first malformed or
// truncated head: the full decoder rejects such input itself, and it cannot have recursed
// deeper than the scan got.
bool cbor_nesting_exceeds(std::span<const std::uint8_t> bytes, std::size_t max_depth);

}  // namespace fleetsim::hil
