// Cryptography for every pillar, on OpenSSL 3 EVP, with RAII ownership.
//
// One place gets crypto right: digests, HMAC, signatures (Ed25519, ECDSA
// P-256/P-384), AES-256-GCM, randomness, constant-time comparison and X.509
// chain verification with an injectable time. No function here throws; no
// OpenSSL object escapes except through the owning classes below.
//
// Thread-safety: free functions are thread-safe. PrivateKey/PublicKey/
// Certificate are immutable after construction and may be shared across
// threads for const use. Hasher is single-threaded.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

// Forward declarations keep <openssl/*.h> out of every includer.
typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct x509_st X509;

namespace rampart::crypto {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Views a string's bytes; the string must outlive the view.
inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsString(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// ---- Digests ---------------------------------------------------------------

enum class HashAlgorithm { kSha256, kSha384, kSha512 };

std::string_view HashAlgorithmName(HashAlgorithm a);  // "sha256", ...
std::size_t DigestSize(HashAlgorithm a);              // 32, 48, 64

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest Sha256(ByteView data);
// SHA-256 of a || b, without joining them first (a Merkle leaf: a prefix
// byte and a 50 KB entry).
Sha256Digest Sha256(ByteView a, ByteView b);
inline Sha256Digest Sha256(std::string_view s) { return Sha256(AsBytes(s)); }
Bytes Digest(HashAlgorithm a, ByteView data);

// Streaming digest. Update() any number of times, then Finish() once.
class Hasher {
 public:
  explicit Hasher(HashAlgorithm a);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void Update(ByteView data);
  void Update(std::string_view s) { Update(AsBytes(s)); }
  // REQUIRES: not yet finished (Update/Finish after Finish abort the process).
  Bytes Finish();
  HashAlgorithm algorithm() const { return algorithm_; }

 private:
  HashAlgorithm algorithm_;
  EVP_MD_CTX* ctx_ = nullptr;
};

Bytes Hmac(HashAlgorithm a, ByteView key, ByteView data);

// ---- Randomness and comparison ---------------------------------------------

// Fills `out` from the OS CSPRNG (via OpenSSL). Fails only if the RNG does.
Status RandomBytes(std::span<std::uint8_t> out);
Result<Bytes> RandomBytes(std::size_t n);

// Compares in time that depends only on the lengths.
bool ConstantTimeEqual(ByteView a, ByteView b);
inline bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return ConstantTimeEqual(AsBytes(a), AsBytes(b));
}

// ---- Symmetric encryption --------------------------------------------------

inline constexpr std::size_t kAesGcmKeySize = 32;
inline constexpr std::size_t kAesGcmNonceSize = 12;
inline constexpr std::size_t kAesGcmTagSize = 16;

// AES-256-GCM. Seal returns ciphertext || 16-byte tag. Open verifies the tag
// and returns the plaintext, or Corruption if anything was altered.
Result<Bytes> AesGcmSeal(ByteView key, ByteView nonce, ByteView plaintext, ByteView aad = {});
Result<Bytes> AesGcmOpen(ByteView key, ByteView nonce, ByteView ciphertext_and_tag,
                         ByteView aad = {});

// ---- Signatures ------------------------------------------------------------

enum class KeyType { kEd25519, kEcdsaP256, kEcdsaP384, kRsa };
std::string_view KeyTypeName(KeyType t);  // "ed25519", "ecdsa-p256", ...

// DER: ASN.1 ECDSA-Sig-Value (X.509, Sigstore). Raw: r || s, each padded to
// the curve size (JWS ES256, COSE). The format applies to ECDSA only: Ed25519
// signatures are always 64 raw bytes, RSA signatures (PKCS#1 v1.5) always the
// modulus size.
enum class SignatureFormat { kDer, kRaw };

// RSA keys shorter than this are rejected wherever a key is loaded (RFC 7518
// §3.3 requires 2048 bits for RS256).
inline constexpr int kMinRsaBits = 2048;

class PublicKey {
 public:
  // PEM "PUBLIC KEY" (SubjectPublicKeyInfo) or DER SPKI.
  static Result<PublicKey> FromPem(std::string_view pem);
  static Result<PublicKey> FromDer(ByteView der);
  // The 32-byte Ed25519 public key.
  static Result<PublicKey> FromRawEd25519(ByteView raw);
  // JWK-style components: an uncompressed EC point from x and y, or RSA n, e.
  static Result<PublicKey> FromEcPoint(KeyType curve, ByteView x, ByteView y);
  static Result<PublicKey> FromRsaComponents(ByteView n, ByteView e);

  KeyType type() const { return type_; }
  // The digest used with this key unless the caller names one: SHA-256 for
  // P-256 and RSA, SHA-384 for P-384; ignored for Ed25519 (PureEdDSA).
  HashAlgorithm default_hash() const;

  // OK if `signature` is valid for `data`; Unauthenticated if not; other codes
  // for malformed input.
  Status Verify(ByteView data, ByteView signature,
                SignatureFormat format = SignatureFormat::kDer) const;
  Status Verify(ByteView data, ByteView signature, SignatureFormat format,
                HashAlgorithm hash) const;

  Result<std::string> ToPem() const;
  Result<Bytes> ToDer() const;       // SPKI
  Result<Bytes> RawEd25519() const;  // REQUIRES: type() == kEd25519

  EVP_PKEY* get() const { return key_.get(); }

 private:
  struct Free {
    void operator()(EVP_PKEY* k) const;
  };
  // Owns `k`; EVP_PKEY is released with EVP_PKEY_free, never `delete`.
  PublicKey(EVP_PKEY* k, KeyType t) : key_(k, Free{}), type_(t) {}
  std::shared_ptr<EVP_PKEY> key_;
  KeyType type_ = KeyType::kEd25519;
  friend class PrivateKey;
  friend class Certificate;
};

class PrivateKey {
 public:
  // PEM "PRIVATE KEY" (PKCS#8), "EC PRIVATE KEY" (SEC1) or DER PKCS#8.
  // Encrypted PEM is rejected with a message saying so.
  static Result<PrivateKey> FromPem(std::string_view pem);
  static Result<PrivateKey> FromDer(ByteView der);
  static Result<PrivateKey> FromRawEd25519Seed(ByteView seed32);
  static Result<PrivateKey> Generate(KeyType type);  // RSA keys are kMinRsaBits long

  KeyType type() const { return type_; }
  PublicKey public_key() const;

  Result<Bytes> Sign(ByteView data, SignatureFormat format = SignatureFormat::kDer) const;
  Result<Bytes> Sign(ByteView data, SignatureFormat format, HashAlgorithm hash) const;

  Result<std::string> ToPem() const;  // PKCS#8, unencrypted

  EVP_PKEY* get() const { return key_.get(); }

 private:
  PrivateKey(EVP_PKEY* k, KeyType t) : key_(k, PublicKey::Free{}), type_(t) {}
  std::shared_ptr<EVP_PKEY> key_;
  KeyType type_ = KeyType::kEd25519;
};

// Converts between ECDSA signature encodings. `component_size` is 32 for
// P-256 and 48 for P-384.
Result<Bytes> EcdsaDerToRaw(ByteView der, std::size_t component_size);
Result<Bytes> EcdsaRawToDer(ByteView raw);

// ---- X.509 -----------------------------------------------------------------

class Certificate {
 public:
  static Result<Certificate> FromPem(std::string_view pem);  // the first cert
  static Result<Certificate> FromDer(ByteView der);
  // Every certificate in a PEM bundle, in order. Fails if there are none.
  static Result<std::vector<Certificate>> ChainFromPem(std::string_view pem);

  Result<PublicKey> public_key() const;
  std::string subject() const;  // RFC 2253 form
  std::string issuer() const;
  std::vector<std::string> san_uris() const;  // e.g. spiffe://example.org/ns/a/sa/b
  std::vector<std::string> san_dns() const;
  std::vector<std::string> san_emails() const;
  std::chrono::system_clock::time_point not_before() const;
  std::chrono::system_clock::time_point not_after() const;
  Result<Bytes> ToDer() const;
  std::string ToPem() const;

  X509* get() const { return cert_.get(); }

 private:
  struct Free {
    void operator()(X509* c) const;
  };
  explicit Certificate(X509* c) : cert_(c, Free{}) {}
  std::shared_ptr<X509> cert_;
};

// Verifies that `leaf` chains to one of `roots` through `intermediates`, with
// validity periods checked at `at` (injectable for tests and for verifying
// signatures made in the past). Returns Unauthenticated with OpenSSL's reason
// on failure.
Status VerifyCertificateChain(const Certificate& leaf,
                              const std::vector<Certificate>& intermediates,
                              const std::vector<Certificate>& roots,
                              std::chrono::system_clock::time_point at);

// The last OpenSSL error on this thread as text ("" if none); clears the queue.
std::string OpenSslErrorString();

}  // namespace rampart::crypto
