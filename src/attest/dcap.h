// Intel SGX and TDX ECDSA quotes (Intel SGX ECDSA Quote Library API, "Quote
// Format"; Intel TDX DCAP Quoting Library API, quote v4 and v5): parse, and
// verify offline against the pinned Intel SGX root with cached collateral
// (docs/formats/attest-claims.md).
//
// Evidence: the quote bytes. Collateral (VerifyOptions::collateral_dir):
//   tcbInfo.json, qeIdentity.json   the signed JSON bodies Intel PCS serves
//   tcbSignChain.pem               their signing chain (TCB signing cert first)
//   *crl* / *Crl*                  the PCK CA CRL and the root CA CRL (DER or PEM)
//   pckCert.pem, pckSignChain.pem  only when the quote carries no PCK chain
//                                  (certification data type 5)
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attest/evidence.h"
#include "core/crypto.h"
#include "core/status.h"

namespace rampart::attest {

struct SgxReportBody {  // 384 bytes
  std::array<std::uint8_t, 16> cpu_svn{};
  std::uint32_t misc_select = 0;
  std::array<std::uint8_t, 16> attributes{};
  std::array<std::uint8_t, 32> mr_enclave{};
  std::array<std::uint8_t, 32> mr_signer{};
  std::uint16_t isv_prod_id = 0;
  std::uint16_t isv_svn = 0;
  std::array<std::uint8_t, 64> report_data{};
  bool debug() const { return attributes[0] & 0x02; }
};

struct TdReportBody {  // 584 bytes (TD 1.0), 648 (TD 1.5)
  std::array<std::uint8_t, 16> tee_tcb_svn{};
  std::array<std::uint8_t, 48> mr_seam{};
  std::array<std::uint8_t, 48> mr_signer_seam{};
  std::uint64_t seam_attributes = 0;
  std::uint64_t td_attributes = 0;
  std::uint64_t xfam = 0;
  std::array<std::uint8_t, 48> mr_td{};
  std::array<std::uint8_t, 48> mr_config_id{};
  std::array<std::uint8_t, 48> mr_owner{};
  std::array<std::uint8_t, 48> mr_owner_config{};
  std::array<std::array<std::uint8_t, 48>, 4> rtmr{};
  std::array<std::uint8_t, 64> report_data{};
  bool td15 = false;
  std::array<std::uint8_t, 16> tee_tcb_svn2{};
  std::array<std::uint8_t, 48> mr_service_td{};
  bool debug() const { return td_attributes & 1; }
};

struct DcapQuote {
  std::uint16_t version = 0;
  std::uint16_t att_key_type = 0;
  std::uint32_t tee_type = 0;  // 0 SGX, 0x81 TDX
  std::uint16_t qe_svn = 0;
  std::uint16_t pce_svn = 0;
  std::array<std::uint8_t, 16> qe_vendor_id{};
  std::uint16_t body_type = 0;  // v5: 1 SGX, 2 TD 1.0, 3 TD 1.5
  std::optional<SgxReportBody> sgx;
  std::optional<TdReportBody> td;
  std::size_t signed_size = 0;  // header and body: the bytes the attestation key signed
  std::array<std::uint8_t, 64> signature{};   // r || s, big-endian
  std::array<std::uint8_t, 64> attest_key{};  // x || y
  std::vector<std::uint8_t> qe_report_raw;    // 384 bytes
  SgxReportBody qe_report;
  std::array<std::uint8_t, 64> qe_report_signature{};
  std::vector<std::uint8_t> qe_auth_data;
  std::uint16_t cert_type = 0;
  std::vector<std::uint8_t> cert_data;
};

// Parses a v3 (SGX), v4 or v5 (SGX or TDX) ECDSA quote; every byte must be
// accounted for (trailing bytes are refused). InvalidArgument with the offset.
Result<DcapQuote> ParseDcapQuote(std::span<const std::uint8_t> bytes);

// The platform's TCB as its PCK certificate and the quote state it.
struct PlatformTcb {
  std::array<std::uint16_t, 16> sgx_svn{};
  std::uint16_t pce_svn = 0;
  std::optional<std::array<std::uint8_t, 16>> tee_tcb_svn;  // TDX only
};
struct TcbMatch {
  TcbStatus status = TcbStatus::kUnknown;
  std::vector<std::string> advisory_ids;
  std::string tcb_date;
};
// Intel's level matching: the first level of `tcb_levels_json` (the
// "tcbLevels" array of a TCB info, version 2 or 3) that the platform meets
// or exceeds in every component. PermissionDenied when it meets none.
Result<TcbMatch> MatchTcbLevel(std::string_view tcb_levels_json, int tcb_info_version,
                               const PlatformTcb& platform);
Result<TcbStatus> ParseTcbStatus(std::string_view s);
// The QE identity's TCB status folded into the platform's (Intel's rule: an
// out-of-date or revoked QE makes the platform so).
TcbStatus CombineTcbStatus(TcbStatus platform, TcbStatus qe);

// The raw text of the top-level member `key` of a signed collateral JSON (the
// bytes Intel signed), e.g. "tcbInfo" or "enclaveIdentity".
Result<std::string_view> RawJsonMember(std::string_view text, std::string_view key);

struct DcapRoots {
  std::vector<crypto::Certificate> roots;  // the Intel SGX Root CA (or a test root)
};
Result<DcapRoots> DcapRootsFromPem(std::string_view pem);

// `tee`: kSgx or kTdx; a quote of the other kind is refused.
std::unique_ptr<EvidenceVerifier> MakeDcapVerifier(TeeType tee, DcapRoots roots);

}  // namespace rampart::attest
