#include "sim/core/sha256.hpp"

#include <openssl/evp.h>

#include <cassert>

namespace fleetsim {

Sha256Digest sha256(std::span<const std::uint8_t> bytes) {
  Sha256Digest digest{};
  unsigned int size = 0;
  // Fails only on allocation failure inside OpenSSL; nothing a caller could handle.
  [[maybe_unused]] const int ok =
      EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr);
  assert(ok == 1 && size == digest.size());
  return digest;
}

std::string sha256_hex(std::string_view text) {
  return digest_hex(sha256({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}));
}

std::string digest_hex(const Sha256Digest& d) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * d.size());
  for (const std::uint8_t b : d) {
    hex += kDigits[b >> 4];
    hex += kDigits[b & 15];
  }
  return hex;
}

}  // namespace fleetsim
