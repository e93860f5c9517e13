#include "hil/protocol/sha256.hpp"

#include <openssl/evp.h>

#include <cassert>

namespace fleetsim::hil {

Sha256Digest sha256(std::span<const std::uint8_t> bytes) {
  Sha256Digest digest{};
  unsigned int size = 0;
  // Fails only on allocation failure inside OpenSSL; nothing a caller could handle.
  [[maybe_unused]] const int ok =
      EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr);
  assert(ok == 1 && size == digest.size());
  return digest;
}

std::string sha256_hex(const Sha256Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : digest) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xF];
  }
  return out;
}

}  // namespace fleetsim::hil
