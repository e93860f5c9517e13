// Packets from specs/smp.md shared by the hil tests.
#pragma once

#include <cstdint>
#include <vector>

namespace fleetsim::testing {

// The spec's worked example: echo, v2, write, seq 0x42, {"d":"hello"}.
inline const std::vector<std::uint8_t> kEchoExample = {0x0a, 0x00, 0x00, 0x09, 0x00, 0x00, 0x42, 0x00, 0xa1,
                                                       0x61, 0x64, 0x65, 0x68, 0x65, 0x6c, 0x6c, 0x6f};

}  // namespace fleetsim::testing
