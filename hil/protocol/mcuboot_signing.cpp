#include "hil/protocol/mcuboot_signing.hpp"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>

namespace fleetsim::hil {

namespace {

using Key = std::shared_ptr<EVP_PKEY>;

// DER SubjectPublicKeyInfo of the key's public half: what imgtool's get_public_bytes() returns
// for ECDSA and Ed25519 keys, and KEYHASH hashes.
std::vector<std::uint8_t> public_key_der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key, &der);
  if (n <= 0) throw std::runtime_error("cannot encode the public key");
  std::vector<std::uint8_t> out(der, der + n);
  OPENSSL_free(der);
  return out;
}

// `md` null: a one-shot signature of `data` (Ed25519 hashes inside); else the hash with it.
std::vector<std::uint8_t> signature(EVP_PKEY* key, const EVP_MD* md, std::span<const std::uint8_t> data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, data.data(), data.size()) != 1)
    throw std::runtime_error("OpenSSL could not sign the image");
  std::vector<std::uint8_t> out(size);
  if (EVP_DigestSign(ctx.get(), out.data(), &size, data.data(), data.size()) != 1)
    throw std::runtime_error("OpenSSL could not sign the image");
  out.resize(size);
  return out;
}

}  // namespace

Result<McubootSigningKey, std::string> load_mcuboot_signing_key(const std::string& pem_path) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(pem_path.c_str(), "r"), BIO_free);
  if (!bio) return fail("cannot read key " + pem_path);
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key) return fail(pem_path + " is not an unencrypted PEM private key (expected e.g. `imgtool keygen -t ecdsa-p256`)");
  McubootSigningKey out;
  std::uint8_t sig_tlv = 0;
  if (EVP_PKEY_is_a(key.get(), "EC")) {
    char curve[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key.get(), "group", curve, sizeof curve, &len) != 1 ||
        std::string(curve) != "prime256v1")
      return fail(pem_path + ": an EC key on curve " + std::string(curve) + " (expected P-256, prime256v1, or ed25519)");
    out.kind = "ecdsa-p256";
    sig_tlv = kMcubootTlvEcdsaSig;
  } else if (EVP_PKEY_is_a(key.get(), "ED25519")) {
    out.kind = "ed25519";
    sig_tlv = kMcubootTlvEd25519;
  } else {
    return fail(pem_path + ": a key of type " + std::string(EVP_PKEY_get0_type_name(key.get())) +
                " (expected ecdsa-p256 or ed25519; sign RSA images with imgtool)");
  }
  out.sign = [key, sig_tlv](std::span<const std::uint8_t> payload, const Sha256Digest& digest) {
    const std::vector<std::uint8_t> pub = public_key_der(key.get());
    const Sha256Digest key_hash = sha256(pub);
    // imgtool: ECDSA keys sign the payload (SHA-256 inside), Ed25519 keys the digest.
    std::vector<std::uint8_t> sig = sig_tlv == kMcubootTlvEcdsaSig ? signature(key.get(), EVP_sha256(), payload)
                                                                   : signature(key.get(), nullptr, digest);
    return std::vector<McubootTlv>{{kMcubootTlvKeyHash, {key_hash.begin(), key_hash.end()}}, {sig_tlv, std::move(sig)}};
  };
  return out;
}

}  // namespace fleetsim::hil
