// The `sample` TEE: evidence for development machines that have no TEE.
//
// Sample evidence is a JSON document (docs/formats/attest-claims.md,
// "sample evidence") that states measurements, report data, TCB status and
// debug flag, signed with an Ed25519 or ECDSA key the broker pins. It proves
// nothing about hardware: a broker accepts it only for resources whose policy
// lists `sample` explicitly, and the claims say tee "sample".
//
// Thread-safety: SampleVerifier is immutable; SampleAttester is too.
#pragma once

#include <map>
#include <string>

#include "attest/evidence.h"
#include "core/crypto.h"

namespace rampart::attest {

inline constexpr std::size_t kMaxSampleEvidenceBytes = 64 * 1024;

struct SampleStatement {
  std::map<std::string, std::string> measurements;  // lowercase hex
  std::vector<std::uint8_t> report_data;            // 64 bytes
  std::string tcb_status = "UpToDate";
  bool debug = false;
  std::map<std::string, std::string> attributes;
};

// Signs a statement as sample evidence (JSON text).
Result<std::string> MakeSampleEvidence(const SampleStatement& s, const crypto::PrivateKey& key);

class SampleVerifier final : public EvidenceVerifier {
 public:
  explicit SampleVerifier(crypto::PublicKey key) : key_(std::move(key)) {}
  TeeType type() const override { return TeeType::kSample; }
  Result<Claims> Verify(std::span<const std::uint8_t> evidence,
                        const VerifyOptions& opts) const override;

 private:
  crypto::PublicKey key_;
};

}  // namespace rampart::attest
