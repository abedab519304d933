#include "attest/jwe.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <memory>

#include "attest/keys.h"
#include "core/encoding.h"

namespace rampart::attest {
namespace {

using crypto::Bytes;
constexpr std::string_view kAlg = "ECDH-ES+A256KW";
constexpr std::string_view kEnc = "A256GCM";

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};

// The curves a TEE key may use: JWK name, key type, coordinate size.
struct Curve {
  std::string_view crv;
  crypto::KeyType type;
  std::size_t size;
};
constexpr Curve kCurves[] = {{"P-256", crypto::KeyType::kEcdsaP256, 32},
                             {"P-384", crypto::KeyType::kEcdsaP384, 48}};
const Curve* CurveOf(crypto::KeyType t) {
  for (const Curve& c : kCurves) {
    if (c.type == t) return &c;
  }
  return nullptr;
}

Result<Bytes> Coordinate(EVP_PKEY* k, const char* name, std::size_t size) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(k, name, &bn) != 1) return InvalidArgumentError("not an EC key");
  Bytes out(size);
  int ok = BN_bn2binpad(bn, out.data(), static_cast<int>(size));
  BN_free(bn);
  if (ok != static_cast<int>(size)) return InvalidArgumentError("EC coordinate too large");
  return out;
}

Result<Bytes> Member(const json::object& o, std::string_view key, std::string_view what) {
  auto s = GetString(o, key);
  if (!s) return InvalidArgumentError(std::string(what) + ": " + s.error().message());
  auto b = Base64UrlDecode(*s);
  if (!b)
    return InvalidArgumentError(std::string(what) + ": '" + std::string(key) +
                                "' is not base64url");
  return *b;
}

Result<Bytes> Ecdh(EVP_PKEY* priv, EVP_PKEY* peer) {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> c(EVP_PKEY_CTX_new(priv, nullptr));
  std::size_t len = 0;
  if (!c || EVP_PKEY_derive_init(c.get()) != 1 || EVP_PKEY_derive_set_peer(c.get(), peer) != 1 ||
      EVP_PKEY_derive(c.get(), nullptr, &len) != 1) {
    crypto::OpenSslErrorString();
    return InvalidArgumentError("ECDH failed (key not on the curve?)");
  }
  Bytes z(len);
  if (EVP_PKEY_derive(c.get(), z.data(), &len) != 1) return InvalidArgumentError("ECDH failed");
  z.resize(len);
  return z;
}

// RFC 7518 §4.6.2 Concat KDF for a 256-bit key, empty apu/apv.
Key ConcatKdf(const Bytes& z) {
  Bytes in = {0, 0, 0, 1};
  in.insert(in.end(), z.begin(), z.end());
  auto be32 = [&](std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) in.push_back(static_cast<std::uint8_t>(v >> s));
  };
  be32(static_cast<std::uint32_t>(kAlg.size()));
  in.insert(in.end(), kAlg.begin(), kAlg.end());
  be32(0);
  be32(0);
  be32(256);
  crypto::Sha256Digest d = crypto::Sha256(std::span<const std::uint8_t>(in));
  Key k;
  std::copy(d.begin(), d.end(), k.begin());
  return k;
}

}  // namespace

Result<crypto::PublicKey> PublicKeyFromJwk(const json::value& jwk) {
  if (!jwk.is_object()) return InvalidArgumentError("tee-pubkey: must be a JWK object");
  const json::object& o = jwk.get_object();
  auto kty = GetString(o, "kty");
  if (!kty || *kty != "EC") {
    return InvalidArgumentError(
        "tee-pubkey: kty must be \"EC\" (P-256 or P-384); RSA keys are not accepted");
  }
  auto crv = GetString(o, "crv");
  const Curve* curve = nullptr;
  for (const Curve& c : kCurves) {
    if (crv && *crv == c.crv) curve = &c;
  }
  if (curve == nullptr)
    return InvalidArgumentError("tee-pubkey: crv must be \"P-256\" or \"P-384\"");
  RAMPART_ASSIGN_OR_RETURN(Bytes x, Member(o, "x", "tee-pubkey"));
  RAMPART_ASSIGN_OR_RETURN(Bytes y, Member(o, "y", "tee-pubkey"));
  if (x.size() != curve->size || y.size() != curve->size) {
    return InvalidArgumentError("tee-pubkey: x and y must be " + std::to_string(curve->size) +
                                " bytes for " + std::string(curve->crv));
  }
  auto k = crypto::PublicKey::FromEcPoint(curve->type, x, y);
  if (!k) return InvalidArgumentError("tee-pubkey: not a point on " + std::string(curve->crv));
  return k;
}

Result<json::object> JwkOf(const crypto::PublicKey& key) {
  const Curve* curve = CurveOf(key.type());
  if (curve == nullptr) return InvalidArgumentError("not a P-256 or P-384 key");
  RAMPART_ASSIGN_OR_RETURN(Bytes x, Coordinate(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, curve->size));
  RAMPART_ASSIGN_OR_RETURN(Bytes y, Coordinate(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, curve->size));
  return json::object{{"kty", "EC"},
                      {"crv", curve->crv},
                      {"x", Base64UrlEncode(std::span<const std::uint8_t>(x))},
                      {"y", Base64UrlEncode(std::span<const std::uint8_t>(y))}};
}

Result<std::string> JwkThumbprint(const crypto::PublicKey& key) {
  RAMPART_ASSIGN_OR_RETURN(json::object jwk, JwkOf(key));
  // RFC 7638: the required members in lexicographic order, no whitespace.
  std::string canon = CanonicalJson(jwk);
  crypto::Sha256Digest d = crypto::Sha256(canon);
  return Base64UrlEncode(std::span<const std::uint8_t>(d));
}

std::vector<std::uint8_t> ReportDataFor(std::string_view nonce, std::string_view thumbprint) {
  std::string in = std::string(nonce) + "." + std::string(thumbprint);
  return crypto::Digest(crypto::HashAlgorithm::kSha512, crypto::AsBytes(in));
}

bool ReportDataBinds(std::span<const std::uint8_t> report_data, std::string_view nonce,
                     std::string_view thumbprint) {
  if (report_data.size() != 64) return false;
  std::string in = std::string(nonce) + "." + std::string(thumbprint);
  Bytes s512 = crypto::Digest(crypto::HashAlgorithm::kSha512, crypto::AsBytes(in));
  Bytes s256 = crypto::Digest(crypto::HashAlgorithm::kSha256, crypto::AsBytes(in));
  s256.resize(64, 0);
  bool a = crypto::ConstantTimeEqual(report_data, s512);
  bool b = crypto::ConstantTimeEqual(report_data, s256);
  return a || b;
}

Result<json::object> JweEncrypt(const crypto::PublicKey& recipient, std::string_view kid,
                                std::span<const std::uint8_t> plaintext) {
  if (CurveOf(recipient.type()) == nullptr)
    return InvalidArgumentError("recipient is not a P-256 or P-384 key");
  // The ephemeral key is on the recipient's curve.
  RAMPART_ASSIGN_OR_RETURN(crypto::PrivateKey eph, crypto::PrivateKey::Generate(recipient.type()));
  RAMPART_ASSIGN_OR_RETURN(json::object epk, JwkOf(eph.public_key()));
  json::object header{{"alg", kAlg}, {"enc", kEnc}, {"kid", kid}, {"epk", epk}};
  std::string protected_b64 = Base64UrlEncode(CanonicalJson(header));
  RAMPART_ASSIGN_OR_RETURN(Bytes z, Ecdh(eph.get(), recipient.get()));
  Key kek = ConcatKdf(z);
  RAMPART_ASSIGN_OR_RETURN(Key cek, RandomKey());
  Bytes ek = AesKwWrap(kek, std::span<const std::uint8_t>(cek));
  RAMPART_ASSIGN_OR_RETURN(Bytes iv, crypto::RandomBytes(12));
  RAMPART_ASSIGN_OR_RETURN(Bytes ct, crypto::AesGcmSeal(std::span<const std::uint8_t>(cek), iv,
                                                        plaintext, crypto::AsBytes(protected_b64)));
  std::span<const std::uint8_t> body(ct.data(), ct.size() - 16),
      tag(ct.data() + ct.size() - 16, 16);
  return json::object{{"protected", protected_b64},
                      {"encrypted_key", Base64UrlEncode(std::span<const std::uint8_t>(ek))},
                      {"iv", Base64UrlEncode(std::span<const std::uint8_t>(iv))},
                      {"ciphertext", Base64UrlEncode(body)},
                      {"tag", Base64UrlEncode(tag)}};
}

Result<std::vector<std::uint8_t>> JweDecrypt(const crypto::PrivateKey& key,
                                             const json::value& jwe) {
  if (!jwe.is_object()) return InvalidArgumentError("JWE: must be a JSON object");
  const json::object& o = jwe.get_object();
  auto prot = GetString(o, "protected");
  if (!prot) return InvalidArgumentError("JWE: " + prot.error().message());
  RAMPART_ASSIGN_OR_RETURN(Bytes hdr_raw, Member(o, "protected", "JWE"));
  JsonLimits lim;
  lim.max_bytes = 4096;
  lim.max_depth = 4;
  RAMPART_ASSIGN_OR_RETURN(json::value hdr,
                           ParseJson(crypto::AsString(hdr_raw), lim, "JWE header"));
  if (!hdr.is_object()) return InvalidArgumentError("JWE header: must be an object");
  const json::object& h = hdr.get_object();
  auto alg = GetString(h, "alg");
  auto enc = GetString(h, "enc");
  if (!alg || *alg != kAlg || !enc || *enc != kEnc) {
    return InvalidArgumentError("JWE header: alg must be ECDH-ES+A256KW and enc A256GCM");
  }
  auto epk_it = h.find("epk");
  if (epk_it == h.end()) return InvalidArgumentError("JWE header: missing epk");
  RAMPART_ASSIGN_OR_RETURN(crypto::PublicKey epk, PublicKeyFromJwk(epk_it->value()));
  if (epk.type() != key.public_key().type())
    return InvalidArgumentError("JWE header: epk is not on the recipient key's curve");
  RAMPART_ASSIGN_OR_RETURN(Bytes ek, Member(o, "encrypted_key", "JWE"));
  RAMPART_ASSIGN_OR_RETURN(Bytes iv, Member(o, "iv", "JWE"));
  RAMPART_ASSIGN_OR_RETURN(Bytes ct, Member(o, "ciphertext", "JWE"));
  RAMPART_ASSIGN_OR_RETURN(Bytes tag, Member(o, "tag", "JWE"));
  if (iv.size() != 12 || tag.size() != 16 || ek.size() != 40) {
    return InvalidArgumentError("JWE: iv must be 12 bytes, tag 16, encrypted_key 40");
  }
  RAMPART_ASSIGN_OR_RETURN(Bytes z, Ecdh(key.get(), epk.get()));
  Key kek = ConcatKdf(z);
  auto cek = AesKwUnwrap(kek, ek);
  if (!cek || cek->size() != 32)
    return PermissionDeniedError("JWE: the content key does not unwrap");
  ct.insert(ct.end(), tag.begin(), tag.end());
  auto pt = crypto::AesGcmOpen(*cek, iv, ct, crypto::AsBytes(*prot));
  if (!pt) return PermissionDeniedError("JWE: content does not authenticate");
  return *pt;
}

}  // namespace rampart::attest
