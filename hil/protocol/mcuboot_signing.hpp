// Signing MCUboot images with OpenSSL as imgtool does (mcu-tools/mcuboot scripts/imgtool:
// Image.create() and keys/): after the SHA-256 TLV comes KEYHASH (0x01, the SHA-256 of the
// public key as DER SubjectPublicKeyInfo), then the signature — ECDSA P-256 (TLV 0x22): a DER
// ECDSA-with-SHA-256 signature of the payload (header + body); Ed25519 (TLV 0x24): a signature
// of the payload's SHA-256 digest.
#pragma once

#include <string>

#include "hil/protocol/mcuboot_image.hpp"
#include "hil/protocol/result.hpp"

namespace fleetsim::hil {

struct McubootSigningKey {
  McubootSigner sign;
  std::string kind;  // "ecdsa-p256" or "ed25519", as `imgtool keygen -t` names them
};

// Reads an unencrypted PEM private key (`imgtool keygen`, `openssl genpkey`); the reason names
// the file and the key types accepted.
Result<McubootSigningKey, std::string> load_mcuboot_signing_key(const std::string& pem_path);

}  // namespace fleetsim::hil
