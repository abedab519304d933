// Evidence from a trusted execution environment and the claims a verifier
// derives from it: the one shape every verifier (SGX, TDX, SEV-SNP, NVIDIA
// GPU, sample) returns and the key broker's policy reads
// (docs/formats/attest-claims.md).
//
// Verifiers are offline: roots are pinned, collateral (TCB info, QE
// identity, CRLs, VCEK/VLEK, RIMs) is passed in or read from a cache
// directory, never fetched at verify time; time comes from the options, so a
// verification is reproducible.
//
// Thread-safety: a verifier is immutable after construction; Verify may run
// concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace rampart::attest {

enum class TeeType { kSgx, kTdx, kSnp, kNvidiaGpu, kSample };

std::string_view TeeTypeName(TeeType t);  // "sgx", "tdx", "snp", "nvidia", "sample"
Result<TeeType> ParseTeeType(std::string_view s);

// Where a platform's TCB stands against its vendor's collateral, worst last.
enum class TcbStatus {
  kUpToDate,
  kSwHardeningNeeded,
  kConfigurationNeeded,
  kConfigurationAndSwHardeningNeeded,
  kOutOfDate,
  kOutOfDateConfigurationNeeded,
  kRevoked,
  kUnknown,  // the TEE has no TCB levels (sample) or the verifier cannot tell
};
std::string_view TcbStatusName(TcbStatus s);  // "UpToDate", "SWHardeningNeeded", ...

// What a verified piece of evidence says. Measurements are lowercase hex.
struct Claims {
  TeeType tee = TeeType::kSample;
  // Named measurements: "mrenclave", "mrsigner" (SGX); "mrtd", "rtmr0".."rtmr3",
  // "mrseam", "mrsignerseam" (TDX); "measurement", "host_data", "id_key_digest"
  // (SNP); "gpu.<index>" driver/VBIOS measurement indices (NVIDIA).
  std::map<std::string, std::string, std::less<>> measurements;
  std::vector<std::uint8_t> report_data;  // the 64 bytes the TEE bound (nonce, key hash)
  TcbStatus tcb_status = TcbStatus::kUnknown;
  std::vector<std::string> advisory_ids;  // e.g. "INTEL-SA-00615"
  bool debug = false;                     // a debuggable TEE: never trusted by default
  std::map<std::string, std::string, std::less<>>
      attributes;               // other facts: "isv_svn", "policy", ...
  std::string evidence_digest;  // "sha256:<hex>" of the evidence bytes as received
};

struct VerifyOptions {
  std::chrono::system_clock::time_point now;  // checks certificates and collateral at this time
  std::filesystem::path collateral_dir;       // cached collateral; empty: only what is embedded
  std::optional<std::vector<std::uint8_t>> expected_report_data;  // must equal, when set
};

class EvidenceVerifier {
 public:
  virtual ~EvidenceVerifier() = default;
  virtual TeeType type() const = 0;
  // The claims, or the first check that failed: PermissionDenied naming the
  // check ("quote signature", "PCK chain: certificate expired", "TCB
  // revoked", "report data does not match the nonce"), InvalidArgument for
  // bytes that do not parse (with the offset), never a crash.
  virtual Result<Claims> Verify(std::span<const std::uint8_t> evidence,
                                const VerifyOptions& opts) const = 0;
};

}  // namespace rampart::attest
