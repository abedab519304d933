#include "attest/tpm/quote.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>

#include "core/encoding.h"

namespace rampart::attest::tpm {
namespace {

const EVP_MD* Md(std::uint16_t alg) {
  switch (alg) {
    case kAlgSha256:
      return EVP_sha256();
    case kAlgSha384:
      return EVP_sha384();
    case kAlgSha512:
      return EVP_sha512();
    default:
      return nullptr;
  }
}

Status Refuse(std::string_view check, std::string_view what) {
  return UnauthenticatedError(std::string(check) + ": " + std::string(what));
}

Result<Bytes> EcdsaDer(const Bytes& r, const Bytes& s) {
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), ECDSA_SIG_free);
  BIGNUM* br = BN_bin2bn(r.data(), static_cast<int>(r.size()), nullptr);
  BIGNUM* bs = BN_bin2bn(s.data(), static_cast<int>(s.size()), nullptr);
  if (!sig || br == nullptr || bs == nullptr || ECDSA_SIG_set0(sig.get(), br, bs) != 1) {
    BN_free(br);
    BN_free(bs);
    return InternalError("quote.signature: cannot build the ECDSA signature");
  }
  int n = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (n <= 0) return InternalError("quote.signature: cannot encode the ECDSA signature");
  Bytes der(static_cast<std::size_t>(n));
  unsigned char* p = der.data();
  i2d_ECDSA_SIG(sig.get(), &p);
  return der;
}

Status VerifySignature(ByteView data, const Signature& sig, const crypto::PublicKey& ak) {
  bool rsa_key = ak.type() == crypto::KeyType::kRsa;
  bool ec_key =
      ak.type() == crypto::KeyType::kEcdsaP256 || ak.type() == crypto::KeyType::kEcdsaP384;
  if ((sig.sig_alg == kAlgEcdsa && !ec_key) || (sig.sig_alg != kAlgEcdsa && !rsa_key))
    return Refuse("quote.signature", "a " + AlgName(sig.sig_alg) + " signature but the AK is " +
                                         std::string(crypto::KeyTypeName(ak.type())));
  Bytes der;
  ByteView sig_bytes = sig.rsa;
  if (sig.sig_alg == kAlgEcdsa) {
    RAMPART_ASSIGN_OR_RETURN(der, EcdsaDer(sig.ecc_r, sig.ecc_s));
    sig_bytes = der;
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, Md(sig.hash), nullptr, ak.get()) != 1)
    return InternalError("quote.signature: cannot set up verification");
  if (sig.sig_alg == kAlgRsapss) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, Md(sig.hash)) != 1)
      return InternalError("quote.signature: cannot set up RSA-PSS");
  } else if (sig.sig_alg == kAlgRsassa) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
      return InternalError("quote.signature: cannot set up RSASSA");
  }
  int rc =
      EVP_DigestVerify(ctx.get(), sig_bytes.data(), sig_bytes.size(), data.data(), data.size());
  crypto::OpenSslErrorString();  // clear the queue
  if (rc != 1)
    return Refuse("quote.signature", AlgName(sig.sig_alg) + "/" + AlgName(sig.hash) +
                                         " signature does not verify with the attestation key");
  return OkStatus();
}

}  // namespace

Result<Attest> VerifyQuote(ByteView attest, ByteView signature, const crypto::PublicKey& ak,
                           ByteView nonce) {
  auto parsed = ParseAttest(attest);
  if (!parsed) return InvalidArgumentError("quote.parse: " + parsed.error().message());
  auto sig = ParseSignature(signature);
  if (!sig) return InvalidArgumentError("quote.parse: " + sig.error().message());
  RAMPART_RETURN_IF_ERROR(VerifySignature(attest, *sig, ak));
  if (!crypto::ConstantTimeEqual(parsed->extra_data, nonce))
    return Refuse("quote.nonce", "the quote's qualifying data " + HexEncode(parsed->extra_data) +
                                     " is not the nonce " + HexEncode(nonce) +
                                     " (a replayed or foreign quote)");
  parsed->signature_hash = sig->hash;
  return parsed;
}

Result<Bytes> ComputePcrDigest(const Attest& quote, const PcrValues& values, std::uint16_t hash) {
  if (TpmDigestSize(hash) == 0) return InvalidArgumentError("quote.pcr_digest: unknown hash");
  Bytes concat;
  for (const auto& sel : quote.pcr_select) {
    auto bank = values.find(sel.hash);
    for (int pcr : sel.pcrs) {
      const Bytes* v = nullptr;
      if (bank != values.end()) {
        auto it = bank->second.find(pcr);
        if (it != bank->second.end()) v = &it->second;
      }
      if (v == nullptr)
        return NotFoundError("quote.pcr_digest: no value for quoted PCR " + AlgName(sel.hash) +
                             ":" + std::to_string(pcr));
      concat.insert(concat.end(), v->begin(), v->end());
    }
  }
  return TpmDigest(hash, concat);
}

Status CheckPcrDigest(const Attest& quote, const PcrValues& values) {
  auto d = ComputePcrDigest(quote, values, quote.signature_hash);
  if (!d) return Refuse("quote.pcr_digest", d.error().message().substr(18));
  if (!crypto::ConstantTimeEqual(*d, quote.pcr_digest))
    return Refuse("quote.pcr_digest", "the PCR values digest to " + HexEncode(*d) +
                                          ", the TPM quoted " + HexEncode(quote.pcr_digest));
  return OkStatus();
}

}  // namespace rampart::attest::tpm
