// The Mender device's authentication request (POST /api/devices/v1/authentication/auth_requests):
// a JSON body {"id_data", "pubkey", "tenant_token"} signed with the device key, the signature
// base64 in the X-MEN-Signature header. mender-client 3.4 signs the body's exact bytes with
// PKCS#1 v1.5 over SHA-256 (its default key is RSA 3072; ECDSA keys sign SHA-256 too) and with
// plain Ed25519 for Ed25519 keys (client/auth.go, store/keystore.go in mendersoftware/mender).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "hil/protocol/result.hpp"

namespace fleetsim::hil::mender {

struct AuthRequest {
  nlohmann::json identity;   // id_data decoded: an object of identity attributes
  std::string pubkey_pem;    // the device's public key (PKIX PEM)
  std::string tenant_token;  // "" without a tenant
};

// The body parsed; the error says which field is missing or malformed.
Result<AuthRequest, std::string> parse_auth_request(std::string_view body);

// std::nullopt when `signature_base64` is a valid signature of `body` by `pubkey_pem`, else why not.
std::optional<std::string> auth_signature_problem(std::string_view pubkey_pem, std::string_view body,
                                                  std::string_view signature_base64);

}  // namespace fleetsim::hil::mender
