// NVIDIA Hopper GPU attestation reports (SPDM 1.1 GET_MEASUREMENTS request
// and its signed MEASUREMENTS response, as nvtrust's local GPU verifier
// reads them) and the reference integrity manifests (RIMs: SWID tags signed
// with XML-DSig) their measurements are compared with
// (docs/formats/attest-claims.md).
//
// Evidence: the report bytes (binary, or the hex text nvidia-smi and nvtrust
// write). Collateral (VerifyOptions::collateral_dir): gpu_cert_chain.pem (the
// device chain, leaf first, as the GPU returns it) and the driver and VBIOS
// RIMs, *.swidtag.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "attest/evidence.h"
#include "core/crypto.h"
#include "core/status.h"

namespace rampart::attest {

struct NvidiaReport {
  std::array<std::uint8_t, 32> nonce{};  // the requester's nonce
  std::uint8_t spdm_version = 0;
  std::map<int, std::vector<std::uint8_t>> measurements;  // index → digest
  std::array<std::uint8_t, 32> responder_nonce{};
  std::map<int, std::vector<std::uint8_t>> opaque;  // opaque field id → value
  std::size_t signed_size = 0;                      // everything before the signature
  std::array<std::uint8_t, 96> signature{};         // ECDSA P-384 r || s

  std::string driver_version() const;  // "550.90.07"
  std::string vbios_version() const;   // "96.00.9F.00.01"
};

// Parses a report; refuses truncation and trailing bytes with the offset.
Result<NvidiaReport> ParseNvidiaReport(std::span<const std::uint8_t> bytes);
// Binary as is; hex text (whitespace allowed) decoded.
Result<std::vector<std::uint8_t>> NvidiaReportBytes(std::span<const std::uint8_t> evidence);

// A reference integrity manifest, its signature checked.
struct Rim {
  std::string colloquial_version;  // the driver or VBIOS version it describes
  std::string edition;             // "driver" or "GPU" (VBIOS)
  struct Measurement {
    bool active = false;
    std::vector<std::vector<std::uint8_t>> alternatives;
  };
  std::map<int, Measurement> measurements;
};
// Verifies the SWID tag's enveloped XML signature (C14N 1.1, ECDSA P-384 /
// SHA-384) and its signing chain (in the tag) to one of `rim_roots` at `at`,
// then reads its measurements.
Result<Rim> VerifyRim(std::string_view xml, const std::vector<crypto::Certificate>& rim_roots,
                      std::chrono::system_clock::time_point at);

// Every active measurement of the RIMs must equal one of its alternatives in
// the report; PermissionDenied naming the first index that does not.
Status CompareMeasurements(const NvidiaReport& report, const std::vector<const Rim*>& rims);

struct NvidiaRoots {
  std::vector<crypto::Certificate> device_roots;  // NVIDIA Device Identity CA
  std::vector<crypto::Certificate> rim_roots;     // NVIDIA CoRIM signing Root CA
};
Result<NvidiaRoots> NvidiaRootsFromPem(std::string_view device_pem, std::string_view rim_pem);

std::unique_ptr<EvidenceVerifier> MakeNvidiaVerifier(NvidiaRoots roots);

}  // namespace rampart::attest
