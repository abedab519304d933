// One node's evidence, verified end to end: the quote (signature, nonce),
// the logs replayed to the quoted PCR digest, the facts they carry against
// the golden values of the node's class. Also the checks of enrolment: the
// AK's attributes and the EK certificate's chain. docs/design/tpm.md lists
// the checks in order.
//
// Thread-safety: free functions; VerifyNode may run concurrently.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "attest/tpm/event_log.h"
#include "attest/tpm/golden.h"
#include "attest/tpm/ima_log.h"
#include "attest/tpm/quote.h"
#include "attest/tpm/wire.h"
#include "core/crypto.h"
#include "core/status.h"

namespace rampart::attest::tpm {

struct NodeEvidence {
  Bytes quote;      // TPMS_ATTEST
  Bytes signature;  // TPMT_SIGNATURE
  Bytes event_log;  // crypto-agile UEFI log; empty when the node has none
  std::optional<Bytes> ima;
};

struct NodeVerdict {
  // The first check that refused the evidence ("quote.signature: ...",
  // "event_log.digests: ...", "quote.pcr_digest: ..."); OK when all passed.
  // When set, nothing the logs say is believed and `drifts` is empty.
  Status refusal;
  Attest quote;
  BootFacts facts;
  ImaLog ima;
  std::vector<Drift> drifts;  // golden-value departures, by name
  bool ok() const { return refusal.ok() && drifts.empty(); }
};

// REQUIRES: `cls` outlives the call; null skips the golden values.
NodeVerdict VerifyNode(const NodeEvidence& evidence, const crypto::PublicKey& ak,
                       std::span<const std::uint8_t> nonce, const NodeClass* cls);

// A key file: PEM "PUBLIC KEY" or a TPM2B_PUBLIC (tpm2_createak/createek -u).
struct KeyFile {
  crypto::PublicKey key;
  std::optional<Public> tpm;  // set for a TPM2B_PUBLIC
};
Result<KeyFile> ParseKeyFile(std::span<const std::uint8_t> bytes);

// An AK fit for quotes: a restricted signing key born in and bound to its
// TPM (fixedTPM, fixedParent, sensitiveDataOrigin, restricted, sign; not
// decrypt). Refusal: "enroll.ak_attributes: ...".
Status CheckAkAttributes(const Public& ak);

// The EK certificate chains to one of `roots` and certifies `ek`. Refusal:
// "enroll.ek_certificate: ...".
Status CheckEkCertificate(const crypto::Certificate& cert,
                          const std::vector<crypto::Certificate>& intermediates,
                          const std::vector<crypto::Certificate>& roots,
                          const crypto::PublicKey& ek, std::chrono::system_clock::time_point at);

}  // namespace rampart::attest::tpm
