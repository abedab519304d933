// AMD SEV-SNP attestation reports (SEV Secure Nested Paging Firmware ABI
// Specification, "ATTESTATION_REPORT Structure"): parse, and verify offline
// against pinned AMD roots (docs/formats/attest-claims.md).
//
// Evidence: the 1184-byte report as the guest's SNP_GET_REPORT returns it.
// Collateral: the VCEK or VLEK certificate (PEM or DER) in
// VerifyOptions::collateral_dir, named vcek.* or vlek.* after the report's
// signing key, or passed in SnpRoots::endorsement_keys.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "attest/evidence.h"
#include "core/crypto.h"
#include "core/status.h"

namespace rampart::attest {

inline constexpr std::size_t kSnpReportSize = 0x4A0;
inline constexpr std::size_t kSnpSignedSize = 0x2A0;

// A TCB version in its product's byte layout, decoded.
struct SnpTcb {
  std::uint8_t fmc = 0;  // Turin and later only
  std::uint8_t bootloader = 0;
  std::uint8_t tee = 0;
  std::uint8_t snp = 0;
  std::uint8_t microcode = 0;
  bool operator==(const SnpTcb&) const = default;
};
// `turin`: the Turin layout (FMC, BL, TEE, SNP, 3 reserved, microcode);
// otherwise Milan/Genoa (BL, TEE, 4 reserved, SNP, microcode).
SnpTcb DecodeSnpTcb(std::uint64_t raw, bool turin);

enum class SnpSigningKey { kVcek = 0, kVlek = 1, kNone = 7 };

struct SnpReport {
  std::uint32_t version = 0;
  std::uint32_t guest_svn = 0;
  std::uint64_t policy = 0;
  std::array<std::uint8_t, 16> family_id{};
  std::array<std::uint8_t, 16> image_id{};
  std::uint32_t vmpl = 0;
  std::uint32_t signature_algo = 0;
  std::uint64_t current_tcb = 0;
  std::uint64_t platform_info = 0;
  std::uint32_t flags = 0;  // bit 0 author key, bit 1 mask chip id, bits 2-4 signing key
  std::array<std::uint8_t, 64> report_data{};
  std::array<std::uint8_t, 48> measurement{};
  std::array<std::uint8_t, 32> host_data{};
  std::array<std::uint8_t, 48> id_key_digest{};
  std::array<std::uint8_t, 48> author_key_digest{};
  std::array<std::uint8_t, 32> report_id{};
  std::array<std::uint8_t, 32> report_id_ma{};
  std::uint64_t reported_tcb = 0;
  std::array<std::uint8_t, 64> chip_id{};
  std::uint64_t committed_tcb = 0;
  std::uint64_t launch_tcb = 0;
  std::array<std::uint8_t, 48> sig_r{};  // big-endian
  std::array<std::uint8_t, 48> sig_s{};

  bool debug() const { return (policy >> 19) & 1; }
  bool migrate_ma() const { return (policy >> 18) & 1; }
  bool smt_allowed() const { return (policy >> 16) & 1; }
  bool single_socket() const { return (policy >> 20) & 1; }
  bool mask_chip_id() const { return (flags >> 1) & 1; }
  SnpSigningKey signing_key() const { return static_cast<SnpSigningKey>((flags >> 2) & 7); }
};

// Parses exactly kSnpReportSize bytes (versions 2 to 5, ECDSA P-384
// signature). InvalidArgument with the offset for anything else.
Result<SnpReport> ParseSnpReport(std::span<const std::uint8_t> bytes);

// The report against the certificate that signed it: `reported_tcb` equal
// to the certificate's TCB extensions (layout by the product it names) and,
// for a VCEK without MASK_CHIP_ID, the chip id equal to its hwID.
Status CheckSnpEndorsement(const SnpReport& r, const crypto::Certificate& key_cert);

struct SnpRoots {
  // AMD ARKs (self-signed) and ASK/ASVKs, e.g. the ask_ark_<product>.pem
  // bundles AMD's KDS serves; LoadPinnedCerts splits one.
  std::vector<crypto::Certificate> arks;
  std::vector<crypto::Certificate> asks;
  // VCEK/VLEK certificates known in advance (collateral cached in memory);
  // the one whose public key verifies the report is used.
  std::vector<crypto::Certificate> endorsement_keys;
};
// From one or more PEM bundles of ARK/ASK certificates.
Result<SnpRoots> SnpRootsFromPem(std::string_view pem);

std::unique_ptr<EvidenceVerifier> MakeSnpVerifier(SnpRoots roots);

}  // namespace rampart::attest
