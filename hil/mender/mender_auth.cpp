#include "hil/mender/mender_auth.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <vector>

#include "hil/protocol/base64.hpp"

namespace fleetsim::hil::mender {

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

const std::string* string_field(const nlohmann::json& body, const char* name) {
  const auto it = body.find(name);
  return (it != body.end() && it->is_string()) ? &it->get_ref<const std::string&>() : nullptr;
}

}  // namespace

Result<AuthRequest, std::string> parse_auth_request(std::string_view body) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return fail<std::string>("the body is not a JSON object");
  const std::string* id_data = string_field(doc, "id_data");
  const std::string* pubkey = string_field(doc, "pubkey");
  if (!id_data) return fail<std::string>("/id_data: missing or not a string (expected the identity as JSON text)");
  if (!pubkey || pubkey->empty()) return fail<std::string>("/pubkey: missing or not a string (expected a PEM public key)");
  AuthRequest request;
  // id_data is JSON inside a JSON string: the identity script's attributes.
  request.identity = nlohmann::json::parse(*id_data, nullptr, false);
  if (!request.identity.is_object() || request.identity.empty())
    return fail<std::string>("/id_data: not a JSON object of identity attributes");
  request.pubkey_pem = *pubkey;
  if (const std::string* tenant = string_field(doc, "tenant_token")) request.tenant_token = *tenant;
  return request;
}

std::optional<std::string> auth_signature_problem(std::string_view pubkey_pem, std::string_view body,
                                                  std::string_view signature_base64) {
  struct ClearErrors {  // OpenSSL's per-thread error queue: leave nothing behind for the next request
    ~ClearErrors() { ERR_clear_error(); }
  } clear_errors;
  const auto signature = base64_decode(signature_base64);
  if (!signature || signature->empty()) return "the X-MEN-Signature header is not base64";
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pubkey_pem.data(), static_cast<int>(pubkey_pem.size())));
  std::unique_ptr<EVP_PKEY, KeyFree> key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return "/pubkey is not a PEM public key";
  // Ed25519 signs the message itself (no digest); RSA and ECDSA keys sign its SHA-256.
  const EVP_MD* digest = EVP_PKEY_id(key.get()) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, digest, nullptr, key.get()) != 1)
    return "the public key's type cannot verify signatures";
  const int rc = EVP_DigestVerify(ctx.get(), signature->data(), signature->size(),
                                  reinterpret_cast<const unsigned char*>(body.data()), body.size());
  if (rc != 1) return "the signature does not match the body and /pubkey";
  return std::nullopt;
}

}  // namespace fleetsim::hil::mender
