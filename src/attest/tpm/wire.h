// The TPM 2.0 wire structures a verifier reads (TPM 2.0 Library, Part 2):
// TPMS_ATTEST for a quote, TPMT_SIGNATURE, TPMT_PUBLIC for the attestation
// and endorsement keys. Our own parser over untrusted bytes (big-endian,
// every size checked against what is left and against the TPM's own
// maxima); docs/design/tpm.md says why not tpm2-tss.
//
// A parse error is InvalidArgument naming the structure, the field and the
// byte offset: "TPMS_ATTEST.magic at offset 0: 0x12345678, expected 0xff544347".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.h"
#include "core/status.h"

namespace rampart::attest::tpm {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// TPM_ALG_ID values used here.
inline constexpr std::uint16_t kAlgRsa = 0x0001;
inline constexpr std::uint16_t kAlgSha1 = 0x0004;
inline constexpr std::uint16_t kAlgSha256 = 0x000B;
inline constexpr std::uint16_t kAlgSha384 = 0x000C;
inline constexpr std::uint16_t kAlgSha512 = 0x000D;
inline constexpr std::uint16_t kAlgNull = 0x0010;
inline constexpr std::uint16_t kAlgRsassa = 0x0014;
inline constexpr std::uint16_t kAlgRsapss = 0x0016;
inline constexpr std::uint16_t kAlgEcdsa = 0x0018;
inline constexpr std::uint16_t kAlgEcc = 0x0023;

inline constexpr std::uint32_t kGeneratedValue = 0xff544347;  // TPM_GENERATED_VALUE
inline constexpr std::uint16_t kStAttestQuote = 0x8018;       // TPM_ST_ATTEST_QUOTE

inline constexpr std::uint16_t kEccNistP256 = 0x0003;
inline constexpr std::uint16_t kEccNistP384 = 0x0004;

// TPMA_OBJECT bits.
inline constexpr std::uint32_t kAttrFixedTpm = 1u << 1;
inline constexpr std::uint32_t kAttrFixedParent = 1u << 4;
inline constexpr std::uint32_t kAttrSensitiveDataOrigin = 1u << 5;
inline constexpr std::uint32_t kAttrRestricted = 1u << 16;
inline constexpr std::uint32_t kAttrDecrypt = 1u << 17;
inline constexpr std::uint32_t kAttrSign = 1u << 18;

// "sha256", "sha1", ... or "alg 0x1234".
std::string AlgName(std::uint16_t alg);
// The size of a TPM hash algorithm's digest; 0 for one we do not know.
std::size_t TpmDigestSize(std::uint16_t alg);
// The digest of `data` under a TPM hash algorithm (SHA-1/256/384/512).
// REQUIRES: TpmDigestSize(alg) != 0.
Bytes TpmDigest(std::uint16_t alg, ByteView data);
// PCR extend: *pcr = H(*pcr || digest). REQUIRES: TpmDigestSize(alg) != 0.
void ExtendPcr(std::uint16_t alg, Bytes* pcr, ByteView digest);

// One bank of a TPML_PCR_SELECTION: a hash and the PCR indices it selects,
// ascending (the order the TPM concatenates them in).
struct PcrBankSelection {
  std::uint16_t hash = 0;
  std::vector<int> pcrs;
};

struct Attest {
  std::uint32_t magic = 0;
  std::uint16_t type = 0;
  Bytes qualified_signer;  // TPM2B_NAME contents
  Bytes extra_data;        // the nonce (qualifying data)
  std::uint64_t clock = 0;
  std::uint32_t reset_count = 0;
  std::uint32_t restart_count = 0;
  bool safe = false;
  std::uint64_t firmware_version = 0;
  // TPMS_QUOTE_INFO (type == kStAttestQuote only).
  std::vector<PcrBankSelection> pcr_select;
  Bytes pcr_digest;
  // Set by VerifyQuote: the signature's hash, which the TPM also used for
  // pcrDigest.
  std::uint16_t signature_hash = 0;
};

// Parses a TPMS_ATTEST (as tpm2_quote -m writes it), or a TPM2B_ATTEST
// (the same with a 16-bit size in front) when `sized` is true. Checks the
// magic and that the type is a quote; nothing may follow the structure.
Result<Attest> ParseAttest(ByteView data, bool sized = false);

struct Signature {
  std::uint16_t sig_alg = 0;  // kAlgRsassa, kAlgRsapss or kAlgEcdsa
  std::uint16_t hash = 0;
  Bytes rsa;           // RSA signatures
  Bytes ecc_r, ecc_s;  // ECDSA
};
// Parses a TPMT_SIGNATURE (tpm2_quote -s, the default "tss" format).
Result<Signature> ParseSignature(ByteView data);

struct Public {
  std::uint16_t type = 0;  // kAlgRsa or kAlgEcc
  std::uint16_t name_alg = 0;
  std::uint32_t attributes = 0;
  Bytes auth_policy;
  std::uint16_t scheme = kAlgNull;  // signing scheme, kAlgNull when any
  std::uint16_t scheme_hash = kAlgNull;
  std::uint16_t rsa_bits = 0;
  std::uint32_t rsa_exponent = 0;  // 0 means 65537
  Bytes rsa_modulus;
  std::uint16_t curve = 0;
  Bytes ecc_x, ecc_y;
  Bytes marshalled;  // the TPMT_PUBLIC bytes as parsed (the object's Name hashes them)

  // The key as OpenSSL sees it (RSA n/e or an EC point on P-256/P-384).
  Result<crypto::PublicKey> Key() const;
  // The object's Name: nameAlg || H_nameAlg(TPMT_PUBLIC).
  Bytes Name() const;
};
// Parses a TPM2B_PUBLIC (tpm2_createak -u, tpm2_createek -u) when `sized`,
// else a bare TPMT_PUBLIC.
Result<Public> ParsePublic(ByteView data, bool sized = true);

}  // namespace rampart::attest::tpm
