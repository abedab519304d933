// The key broker's wire crypto (docs/formats/kbs-protocol.md): TEE public
// keys as JWKs (EC P-256 or P-384) and their RFC 7638 thumbprints, the report-data
// binding of nonce and key, and JWE ECDH-ES+A256KW / A256GCM (RFC 7516/7518)
// to wrap a released resource to the TEE's key.
//
// Thread-safety: free functions, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.h"
#include "core/json.h"
#include "core/status.h"

namespace rampart::attest {

// A TEE public key from its JWK (kty EC, crv P-256 or P-384, x, y in
// base64url).
// InvalidArgument naming the member for anything else.
Result<crypto::PublicKey> PublicKeyFromJwk(const json::value& jwk);
// The JWK of an EC P-256 or P-384 public key.
Result<json::object> JwkOf(const crypto::PublicKey& key);
// RFC 7638 thumbprint (SHA-256), base64url.
Result<std::string> JwkThumbprint(const crypto::PublicKey& key);

// The 64 report-data bytes that bind `nonce` (the base64url string the broker
// issued) and the key: SHA-512(nonce "." thumbprint).
std::vector<std::uint8_t> ReportDataFor(std::string_view nonce, std::string_view thumbprint);
// True if `report_data` is SHA-512(nonce "." thumbprint), or SHA-256 of it
// followed by 32 zero bytes. Constant time in the contents.
bool ReportDataBinds(std::span<const std::uint8_t> report_data, std::string_view nonce,
                     std::string_view thumbprint);

// Encrypts `plaintext` to `recipient` as a flattened-JSON JWE.
Result<json::object> JweEncrypt(const crypto::PublicKey& recipient, std::string_view kid,
                                std::span<const std::uint8_t> plaintext);
// Decrypts a flattened-JSON JWE with the recipient's private key. Untrusted
// input: every member is checked; PermissionDenied when it does not authenticate.
Result<std::vector<std::uint8_t>> JweDecrypt(const crypto::PrivateKey& key, const json::value& jwe);

}  // namespace rampart::attest
