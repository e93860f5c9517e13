// Standard base64 (RFC 4648 alphabet, '=' padding), as used by SMP's serial console framing.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fleetsim::hil {

std::string base64_encode(std::span<const std::uint8_t> bytes);

// Strict: the length must be a multiple of 4, only alphabet characters, '=' only as the last one
// or two characters. Anything else (whitespace included) gives std::nullopt.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace fleetsim::hil
