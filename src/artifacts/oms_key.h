// The elliptic-curve keys of OMS's key and certificate methods: P-256,
// P-384 and P-521 (the OMS algorithm registry), signing with SHA-256,
// SHA-384 and SHA-512 respectively, DER-encoded ECDSA signatures - what the
// reference implementation does. Verification may ask for SHA-256 on any
// curve: model_signing 0.2 hashed with SHA-256 whatever the key
// (docs/formats/oms.md). Core crypto covers P-256/P-384 only, so this wraps
// OpenSSL EVP directly; keys with explicit curve parameters or other
// algorithms are refused.
//
// Thread-safety: immutable after construction; shareable for const use.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/crypto.h"
#include "core/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace rampart::artifacts {

// The digest a signature is checked with: the curve's (the OMS registry) or
// SHA-256 whatever the curve (model_signing 0.2 signatures).
enum class OmsDigest { kForCurve, kSha256 };

class OmsPublicKey {
 public:
  static Result<OmsPublicKey> FromPem(std::string_view pem);
  // A DER SubjectPublicKeyInfo.
  static Result<OmsPublicKey> FromDer(crypto::ByteView der);
  // The subject key of a certificate.
  static Result<OmsPublicKey> FromCertificate(const crypto::Certificate& cert);

  std::string_view curve() const { return curve_; }  // "P-256", "P-384", "P-521"
  // OK if `sig` (DER ECDSA) is valid for `data`; Unauthenticated if not.
  Status Verify(std::string_view data, crypto::ByteView sig,
                OmsDigest digest = OmsDigest::kForCurve) const;
  // "SHA-256", "SHA-384" or "SHA-512": what Verify uses for `digest`.
  std::string_view DigestName(OmsDigest digest = OmsDigest::kForCurve) const;
  // SubjectPublicKeyInfo PEM and DER.
  Result<std::string> Pem() const;
  Result<crypto::Bytes> Der() const;
  // The OMS key hint: hex SHA-256 of the PEM.
  Result<std::string> Hint() const;

 private:
  friend class OmsPrivateKey;
  static Result<OmsPublicKey> Adopt(EVP_PKEY* k);
  std::shared_ptr<EVP_PKEY> key_;
  std::string curve_;
};

class OmsPrivateKey {
 public:
  // PKCS#8 or SEC1 PEM, unencrypted.
  static Result<OmsPrivateKey> FromPem(std::string_view pem);
  // A fresh key on "P-256", "P-384" or "P-521" (tests, examples).
  static Result<OmsPrivateKey> Generate(std::string_view curve);

  const OmsPublicKey& public_key() const { return public_; }
  Result<crypto::Bytes> Sign(std::string_view data) const;  // DER ECDSA
  Result<std::string> Pem() const;

 private:
  std::shared_ptr<EVP_PKEY> key_;
  OmsPublicKey public_;
};

}  // namespace rampart::artifacts
