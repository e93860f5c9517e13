// SHA-256 digest (OpenSSL EVP): MCUboot's image hash TLV and the SMP upload `sha` field (hil/), and
// the file hashes of a results folder's manifest.json (reports/results_folder.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace fleetsim {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(std::span<const std::uint8_t> bytes);

// The digest of `text`'s bytes as 64 lowercase hex digits.
std::string sha256_hex(std::string_view text);

// A digest as 64 lowercase hex digits, as sha256sum prints it.
std::string digest_hex(const Sha256Digest& digest);

}  // namespace fleetsim
