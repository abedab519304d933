#include "artifacts/oms_key.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/encoding.h"

namespace rampart::artifacts {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* k) {
  return {k, [](EVP_PKEY* p) { EVP_PKEY_free(p); }};
}

// "P-256" etc. for the curves OMS allows; empty otherwise.
std::string CurveOf(EVP_PKEY* k) {
  if (EVP_PKEY_base_id(k) != EVP_PKEY_EC) return "";
  char name[64] = {0};
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) != 1) {
    return "";  // explicit parameters: no named group
  }
  std::string_view n(name, len);
  if (n == "prime256v1" || n == "P-256") return "P-256";
  if (n == "secp384r1" || n == "P-384") return "P-384";
  if (n == "secp521r1" || n == "P-521") return "P-521";
  return "";
}

const EVP_MD* HashFor(std::string_view curve) {
  if (curve == "P-256") return EVP_sha256();
  if (curve == "P-384") return EVP_sha384();
  return EVP_sha512();
}

Status Unsupported() {
  return InvalidArgumentError(
      "OMS keys are elliptic-curve keys on P-256, P-384 or P-521 with a named curve");
}

}  // namespace

Result<OmsPublicKey> OmsPublicKey::Adopt(EVP_PKEY* k) {
  OmsPublicKey out;
  out.key_ = Own(k);
  out.curve_ = CurveOf(k);
  if (out.curve_.empty()) return Unsupported();
  return out;
}

Result<OmsPublicKey> OmsPublicKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* k = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (k == nullptr)
    return InvalidArgumentError("not a PEM public key (-----BEGIN PUBLIC KEY-----)");
  return Adopt(k);
}

Result<OmsPublicKey> OmsPublicKey::FromDer(crypto::ByteView der) {
  const unsigned char* p = der.data();
  EVP_PKEY* k = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (k == nullptr || p != der.data() + der.size()) {
    if (k != nullptr) EVP_PKEY_free(k);
    crypto::OpenSslErrorString();  // clear the queue
    return InvalidArgumentError("not a DER SubjectPublicKeyInfo public key");
  }
  return Adopt(k);
}

Result<OmsPublicKey> OmsPublicKey::FromCertificate(const crypto::Certificate& cert) {
  EVP_PKEY* k = X509_get_pubkey(cert.get());  // new reference
  if (k == nullptr) return InvalidArgumentError("the certificate has no usable public key");
  return Adopt(k);
}

std::string_view OmsPublicKey::DigestName(OmsDigest digest) const {
  if (digest == OmsDigest::kSha256 || curve_ == "P-256") return "SHA-256";
  return curve_ == "P-384" ? "SHA-384" : "SHA-512";
}

Status OmsPublicKey::Verify(std::string_view data, crypto::ByteView sig, OmsDigest digest) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return InternalError("EVP_MD_CTX_new failed");
  const EVP_MD* md = digest == OmsDigest::kSha256 ? EVP_sha256() : HashFor(curve_);
  int ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key_.get()) == 1
               ? EVP_DigestVerify(ctx, sig.data(), sig.size(),
                                  reinterpret_cast<const unsigned char*>(data.data()), data.size())
               : -1;
  EVP_MD_CTX_free(ctx);
  crypto::OpenSslErrorString();  // clear the queue
  if (ok == 1) return OkStatus();
  return UnauthenticatedError("signature does not verify");
}

Result<std::string> OmsPublicKey::Pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1)
    return InternalError("PEM encoding failed");
  char* p = nullptr;
  long n = BIO_get_mem_data(bio.get(), &p);
  return std::string(p, static_cast<std::size_t>(n));
}

Result<crypto::Bytes> OmsPublicKey::Der() const {
  unsigned char* buf = nullptr;
  int n = i2d_PUBKEY(key_.get(), &buf);
  if (n <= 0) return InternalError("DER encoding failed");
  crypto::Bytes out(buf, buf + n);
  OPENSSL_free(buf);
  return out;
}

Result<std::string> OmsPublicKey::Hint() const {
  RAMPART_ASSIGN_OR_RETURN(std::string pem, Pem());
  return HexEncode(crypto::Sha256(pem));
}

Result<OmsPrivateKey> OmsPrivateKey::FromPem(std::string_view pem) {
  if (pem.find("ENCRYPTED") != std::string_view::npos) {
    return InvalidArgumentError("encrypted private keys are not supported; decrypt it first");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* k = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (k == nullptr) return InvalidArgumentError("not a PEM private key");
  OmsPrivateKey out;
  out.key_ = Own(k);
  if (CurveOf(k).empty()) return Unsupported();
  // The public half, as its own object.
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(k, &der);
  if (n <= 0) return InternalError("cannot extract the public key");
  const unsigned char* p = der;
  EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, n);
  OPENSSL_free(der);
  if (pub == nullptr) return InternalError("cannot extract the public key");
  RAMPART_ASSIGN_OR_RETURN(out.public_, OmsPublicKey::Adopt(pub));
  return out;
}

Result<OmsPrivateKey> OmsPrivateKey::Generate(std::string_view curve) {
  const char* group = curve == "P-256"   ? "P-256"
                      : curve == "P-384" ? "P-384"
                      : curve == "P-521" ? "P-521"
                                         : nullptr;
  if (group == nullptr) return Unsupported();
  EVP_PKEY* k = EVP_EC_gen(group);
  if (k == nullptr) return InternalError("EC key generation failed");
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), k, nullptr, nullptr, 0, nullptr, nullptr);
  EVP_PKEY_free(k);
  char* p = nullptr;
  long n = BIO_get_mem_data(bio.get(), &p);
  return FromPem(std::string_view(p, static_cast<std::size_t>(n)));
}

Result<crypto::Bytes> OmsPrivateKey::Sign(std::string_view data) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return InternalError("EVP_MD_CTX_new failed");
  std::size_t len = 0;
  crypto::Bytes sig;
  bool ok = EVP_DigestSignInit(ctx, nullptr, HashFor(public_.curve()), nullptr, key_.get()) == 1 &&
            EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                           data.size()) == 1;
  if (ok) {
    sig.resize(len);
    ok = EVP_DigestSign(ctx, sig.data(), &len, reinterpret_cast<const unsigned char*>(data.data()),
                        data.size()) == 1;
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return InternalError("signing failed: " + crypto::OpenSslErrorString());
  return sig;
}

Result<std::string> OmsPrivateKey::Pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return InternalError("PEM encoding failed");
  }
  char* p = nullptr;
  long n = BIO_get_mem_data(bio.get(), &p);
  return std::string(p, static_cast<std::size_t>(n));
}

}  // namespace rampart::artifacts
