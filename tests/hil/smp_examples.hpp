// Packets shared by the hil tests, built by hand from the Zephyr "SMP Protocol Specification".
#pragma once

#include <cstdint>
#include <vector>

namespace fleetsim::testing {

// The worked echo example (derived by hand, not captured from a board): echo, v2, write, seq 0x42,
// {"d":"hello"}. Header: 0x0a = op 2 (write) | version 1 (SMP v2) << 3, flags 0, length 9, group 0
// (OS), seq 0x42, command 0 (echo). CBOR (RFC 8949): a1 map of 1, 61 "d", 65 "hello".
inline const std::vector<std::uint8_t> kEchoExample = {0x0a, 0x00, 0x00, 0x09, 0x00, 0x00, 0x42, 0x00, 0xa1,
                                                       0x61, 0x64, 0x65, 0x68, 0x65, 0x6c, 0x6c, 0x6f};

}  // namespace fleetsim::testing
