#include "attest/tpm/wire.h"

#include <openssl/evp.h>

#include <cstdio>

#include "attest/tpm/byte_reader.h"

namespace rampart::attest::tpm {
namespace {

std::string Hex16(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}

// TPM-wide maxima (TPM 2.0 Part 2, for the largest algorithms we accept).
constexpr std::size_t kMaxDigest = 64;
constexpr std::size_t kMaxName = 2 + kMaxDigest;
constexpr std::size_t kMaxRsaBytes = 512;  // RSA-4096
constexpr std::size_t kMaxEccBytes = 66;   // P-521
constexpr std::uint32_t kMaxPcrBanks = 16;
constexpr std::uint8_t kMaxSelectBytes = 4;  // 32 PCRs

Result<std::uint16_t> ParseSymDef(ByteReader& r) {
  RAMPART_ASSIGN_OR_RETURN(std::uint16_t alg, r.U16("symmetric.algorithm"));
  if (alg != kAlgNull) {
    RAMPART_RETURN_IF_ERROR(r.U16("symmetric.keyBits").status());
    RAMPART_RETURN_IF_ERROR(r.U16("symmetric.mode").status());
  }
  return alg;
}

}  // namespace

std::string AlgName(std::uint16_t alg) {
  switch (alg) {
    case kAlgRsa:
      return "rsa";
    case kAlgSha1:
      return "sha1";
    case kAlgSha256:
      return "sha256";
    case kAlgSha384:
      return "sha384";
    case kAlgSha512:
      return "sha512";
    case kAlgNull:
      return "null";
    case kAlgRsassa:
      return "rsassa";
    case kAlgRsapss:
      return "rsapss";
    case kAlgEcdsa:
      return "ecdsa";
    case kAlgEcc:
      return "ecc";
    default:
      return "alg " + Hex16(alg);
  }
}

std::size_t TpmDigestSize(std::uint16_t alg) {
  switch (alg) {
    case kAlgSha1:
      return 20;
    case kAlgSha256:
      return 32;
    case kAlgSha384:
      return 48;
    case kAlgSha512:
      return 64;
    default:
      return 0;
  }
}

// Fetched once: OpenSSL 3's implicit fetch (EVP_sha256() in EVP_Digest)
// costs a lookup per call, which dominated log replay.
static const EVP_MD* TpmMd(std::uint16_t alg) {
  static const EVP_MD* const kSha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  static const EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static const EVP_MD* const kSha384 = EVP_MD_fetch(nullptr, "SHA384", nullptr);
  static const EVP_MD* const kSha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  switch (alg) {
    case kAlgSha1:
      return kSha1;
    case kAlgSha256:
      return kSha256;
    case kAlgSha384:
      return kSha384;
    case kAlgSha512:
      return kSha512;
    default:
      return nullptr;
  }
}

namespace {
struct MdCtx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~MdCtx() { EVP_MD_CTX_free(ctx); }
};
// H(a || b) into `out`, on this thread's reusable context.
bool DigestTwo(std::uint16_t alg, ByteView a, ByteView b, Bytes* out) {
  thread_local MdCtx c;
  const EVP_MD* md = TpmMd(alg);
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (md == nullptr || c.ctx == nullptr || EVP_DigestInit_ex(c.ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(c.ctx, a.data(), a.size()) != 1 ||
      EVP_DigestUpdate(c.ctx, b.data(), b.size()) != 1 || EVP_DigestFinal_ex(c.ctx, buf, &n) != 1)
    return false;
  out->assign(buf, buf + n);
  return true;
}
}  // namespace

Bytes TpmDigest(std::uint16_t alg, ByteView data) {
  Bytes out;
  if (!DigestTwo(alg, data, {}, &out)) out.clear();
  return out;
}

void ExtendPcr(std::uint16_t alg, Bytes* pcr, ByteView digest) {
  Bytes next;
  if (DigestTwo(alg, *pcr, digest, &next)) pcr->swap(next);
}

Result<Attest> ParseAttest(ByteView data, bool sized) {
  ByteReader r(data, sized ? "TPM2B_ATTEST" : "TPMS_ATTEST", /*little_endian=*/false);
  if (sized) {
    RAMPART_ASSIGN_OR_RETURN(std::uint16_t size, r.U16("size"));
    if (size != r.remaining())
      return r.Error(
          0, "size",
          "says " + std::to_string(size) + " bytes, " + std::to_string(r.remaining()) + " follow");
  }
  Attest a;
  std::size_t at = r.offset();
  RAMPART_ASSIGN_OR_RETURN(a.magic, r.U32("magic"));
  if (a.magic != kGeneratedValue) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "0x%08x, expected 0xff544347 (TPM_GENERATED_VALUE)", a.magic);
    return r.Error(at, "magic", buf);
  }
  at = r.offset();
  RAMPART_ASSIGN_OR_RETURN(a.type, r.U16("type"));
  if (a.type != kStAttestQuote)
    return r.Error(at, "type", Hex16(a.type) + ", expected 0x8018 (TPM_ST_ATTEST_QUOTE)");
  RAMPART_ASSIGN_OR_RETURN(a.qualified_signer, r.Sized16("qualifiedSigner", kMaxName));
  RAMPART_ASSIGN_OR_RETURN(a.extra_data, r.Sized16("extraData", kMaxDigest));
  RAMPART_ASSIGN_OR_RETURN(a.clock, r.U64("clockInfo.clock"));
  RAMPART_ASSIGN_OR_RETURN(a.reset_count, r.U32("clockInfo.resetCount"));
  RAMPART_ASSIGN_OR_RETURN(a.restart_count, r.U32("clockInfo.restartCount"));
  at = r.offset();
  RAMPART_ASSIGN_OR_RETURN(std::uint8_t safe, r.U8("clockInfo.safe"));
  if (safe > 1) return r.Error(at, "clockInfo.safe", "not a TPMI_YES_NO");
  a.safe = safe == 1;
  RAMPART_ASSIGN_OR_RETURN(a.firmware_version, r.U64("firmwareVersion"));
  at = r.offset();
  RAMPART_ASSIGN_OR_RETURN(std::uint32_t banks, r.U32("pcrSelect.count"));
  if (banks == 0 || banks > kMaxPcrBanks)
    return r.Error(at, "pcrSelect.count",
                   std::to_string(banks) + " banks, expected 1.." + std::to_string(kMaxPcrBanks));
  for (std::uint32_t b = 0; b < banks; ++b) {
    PcrBankSelection sel;
    at = r.offset();
    RAMPART_ASSIGN_OR_RETURN(sel.hash, r.U16("pcrSelect.hash"));
    if (TpmDigestSize(sel.hash) == 0)
      return r.Error(at, "pcrSelect.hash", "unsupported PCR bank " + AlgName(sel.hash));
    for (const auto& prev : a.pcr_select)
      if (prev.hash == sel.hash)
        return r.Error(at, "pcrSelect.hash", "bank " + AlgName(sel.hash) + " selected twice");
    at = r.offset();
    RAMPART_ASSIGN_OR_RETURN(std::uint8_t n, r.U8("pcrSelect.sizeofSelect"));
    if (n > kMaxSelectBytes)
      return r.Error(at, "pcrSelect.sizeofSelect", std::to_string(n) + " bytes, at most 4");
    RAMPART_ASSIGN_OR_RETURN(auto bits, r.Take(n, "pcrSelect.pcrSelect"));
    for (int i = 0; i < n * 8; ++i)
      if (bits[i / 8] & (1u << (i % 8))) sel.pcrs.push_back(i);
    a.pcr_select.push_back(std::move(sel));
  }
  RAMPART_ASSIGN_OR_RETURN(a.pcr_digest, r.Sized16("pcrDigest", kMaxDigest));
  if (!r.empty()) return r.Error("end", std::to_string(r.remaining()) + " trailing bytes");
  return a;
}

Result<Signature> ParseSignature(ByteView data) {
  ByteReader r(data, "TPMT_SIGNATURE", false);
  Signature s;
  std::size_t at = r.offset();
  RAMPART_ASSIGN_OR_RETURN(s.sig_alg, r.U16("sigAlg"));
  if (s.sig_alg != kAlgRsassa && s.sig_alg != kAlgRsapss && s.sig_alg != kAlgEcdsa)
    return r.Error(at, "sigAlg",
                   "unsupported signature scheme " + AlgName(s.sig_alg) +
                       " (expected rsassa, rsapss or ecdsa)");
  at = r.offset();
  RAMPART_ASSIGN_OR_RETURN(s.hash, r.U16("hash"));
  if (TpmDigestSize(s.hash) == 0 || s.hash == kAlgSha1)
    return r.Error(at, "hash", "unsupported signature hash " + AlgName(s.hash));
  if (s.sig_alg == kAlgEcdsa) {
    RAMPART_ASSIGN_OR_RETURN(s.ecc_r, r.Sized16("signatureR", kMaxEccBytes));
    RAMPART_ASSIGN_OR_RETURN(s.ecc_s, r.Sized16("signatureS", kMaxEccBytes));
  } else {
    RAMPART_ASSIGN_OR_RETURN(s.rsa, r.Sized16("sig", kMaxRsaBytes));
  }
  if (!r.empty()) return r.Error("end", std::to_string(r.remaining()) + " trailing bytes");
  return s;
}

Result<Public> ParsePublic(ByteView data, bool sized) {
  ByteReader r(data, sized ? "TPM2B_PUBLIC" : "TPMT_PUBLIC", false);
  if (sized) {
    RAMPART_ASSIGN_OR_RETURN(std::uint16_t size, r.U16("size"));
    if (size != r.remaining())
      return r.Error(
          0, "size",
          "says " + std::to_string(size) + " bytes, " + std::to_string(r.remaining()) + " follow");
  }
  std::size_t start = r.offset();
  Public p;
  std::size_t at = r.offset();
  RAMPART_ASSIGN_OR_RETURN(p.type, r.U16("type"));
  if (p.type != kAlgRsa && p.type != kAlgEcc)
    return r.Error(at, "type",
                   "unsupported key type " + AlgName(p.type) + " (expected rsa or ecc)");
  at = r.offset();
  RAMPART_ASSIGN_OR_RETURN(p.name_alg, r.U16("nameAlg"));
  if (TpmDigestSize(p.name_alg) == 0)
    return r.Error(at, "nameAlg", "unsupported name algorithm " + AlgName(p.name_alg));
  RAMPART_ASSIGN_OR_RETURN(p.attributes, r.U32("objectAttributes"));
  RAMPART_ASSIGN_OR_RETURN(p.auth_policy, r.Sized16("authPolicy", kMaxDigest));
  RAMPART_RETURN_IF_ERROR(ParseSymDef(r).status());
  RAMPART_ASSIGN_OR_RETURN(p.scheme, r.U16("scheme.scheme"));
  if (p.scheme != kAlgNull) {
    RAMPART_ASSIGN_OR_RETURN(p.scheme_hash, r.U16("scheme.hashAlg"));
  }
  if (p.type == kAlgRsa) {
    at = r.offset();
    RAMPART_ASSIGN_OR_RETURN(p.rsa_bits, r.U16("keyBits"));
    if (p.rsa_bits < 2048 || p.rsa_bits > 4096 || p.rsa_bits % 8 != 0)
      return r.Error(at, "keyBits", std::to_string(p.rsa_bits) + ", expected 2048..4096");
    RAMPART_ASSIGN_OR_RETURN(p.rsa_exponent, r.U32("exponent"));
    at = r.offset();
    RAMPART_ASSIGN_OR_RETURN(p.rsa_modulus, r.Sized16("unique.rsa", kMaxRsaBytes));
    if (p.rsa_modulus.size() != p.rsa_bits / 8u)
      return r.Error(at, "unique.rsa",
                     "modulus of " + std::to_string(p.rsa_modulus.size()) + " bytes for a " +
                         std::to_string(p.rsa_bits) + "-bit key");
  } else {
    at = r.offset();
    RAMPART_ASSIGN_OR_RETURN(p.curve, r.U16("curveID"));
    if (p.curve != kEccNistP256 && p.curve != kEccNistP384)
      return r.Error(at, "curveID", "unsupported curve " + Hex16(p.curve) + " (P-256, P-384)");
    RAMPART_ASSIGN_OR_RETURN(std::uint16_t kdf, r.U16("kdf.scheme"));
    if (kdf != kAlgNull) RAMPART_RETURN_IF_ERROR(r.U16("kdf.hashAlg").status());
    RAMPART_ASSIGN_OR_RETURN(p.ecc_x, r.Sized16("unique.ecc.x", kMaxEccBytes));
    RAMPART_ASSIGN_OR_RETURN(p.ecc_y, r.Sized16("unique.ecc.y", kMaxEccBytes));
  }
  auto all = data.subspan(start, r.offset() - start);
  p.marshalled.assign(all.begin(), all.end());
  if (!r.empty()) return r.Error("end", std::to_string(r.remaining()) + " trailing bytes");
  return p;
}

Result<crypto::PublicKey> Public::Key() const {
  if (type == kAlgRsa) {
    std::uint8_t e65537[] = {0x01, 0x00, 0x01};
    Bytes e;
    if (rsa_exponent == 0) {
      e.assign(std::begin(e65537), std::end(e65537));
    } else {
      for (int shift = 24; shift >= 0; shift -= 8) {
        auto b = static_cast<std::uint8_t>(rsa_exponent >> shift);
        if (!e.empty() || b != 0) e.push_back(b);
      }
    }
    return crypto::PublicKey::FromRsaComponents(rsa_modulus, e);
  }
  std::size_t n = curve == kEccNistP256 ? 32 : 48;
  // Leading zeros may be stripped by some TPMs: pad back to the curve size.
  auto pad = [n](const Bytes& v) -> Result<Bytes> {
    if (v.size() > n)
      return InvalidArgumentError("TPMT_PUBLIC: EC coordinate longer than the curve");
    Bytes out(n - v.size(), 0);
    out.insert(out.end(), v.begin(), v.end());
    return out;
  };
  RAMPART_ASSIGN_OR_RETURN(Bytes x, pad(ecc_x));
  RAMPART_ASSIGN_OR_RETURN(Bytes y, pad(ecc_y));
  return crypto::PublicKey::FromEcPoint(
      curve == kEccNistP256 ? crypto::KeyType::kEcdsaP256 : crypto::KeyType::kEcdsaP384, x, y);
}

Bytes Public::Name() const {
  Bytes out{static_cast<std::uint8_t>(name_alg >> 8), static_cast<std::uint8_t>(name_alg)};
  Bytes h = TpmDigest(name_alg, marshalled);
  out.insert(out.end(), h.begin(), h.end());
  return out;
}

}  // namespace rampart::attest::tpm
