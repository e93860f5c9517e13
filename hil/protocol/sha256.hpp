// SHA-256 digest: MCUboot's image hash TLV and the SMP upload `sha` field.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace fleetsim::hil {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(std::span<const std::uint8_t> bytes);

// 64 lower-case hex digits, as sha256sum prints them.
std::string sha256_hex(const Sha256Digest& digest);

}  // namespace fleetsim::hil
