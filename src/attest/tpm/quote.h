// Verification of a TPM 2.0 quote (TPM2_Quote): the attestation key's
// signature over TPMS_ATTEST, the nonce the verifier chose, and the digest of
// the quoted PCRs against PCR values the verifier computed (by replaying the
// event logs, attest/tpm/event_log.h and ima_log.h).
//
// Every refusal's message starts with the check that refused, so a caller can
// print it as is: "quote.signature: ...", "quote.nonce: ...",
// "quote.pcr_digest: ...", "quote.parse: ...".
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "attest/tpm/wire.h"
#include "core/crypto.h"
#include "core/status.h"

namespace rampart::attest::tpm {

// PCR values by bank (TPM_ALG_ID) and index.
using PcrBank = std::map<int, Bytes>;
using PcrValues = std::map<std::uint16_t, PcrBank>;

// Parses `attest` (TPMS_ATTEST) and `signature` (TPMT_SIGNATURE) and checks
// the signature with `ak` (RSASSA-PKCS1-v1_5, RSA-PSS, or ECDSA on P-256 and
// P-384), then that extraData equals `nonce` (constant time). Returns the
// parsed quote. Refusals: "quote.parse", "quote.signature", "quote.nonce".
Result<Attest> VerifyQuote(ByteView attest, ByteView signature, const crypto::PublicKey& ak,
                           ByteView nonce);

// The digest of the selected PCRs as the TPM computes it: H_hash over the
// concatenated values, bank by bank in selection order, index ascending.
// NotFound naming the PCR when `values` lacks a selected one.
Result<Bytes> ComputePcrDigest(const Attest& quote, const PcrValues& values, std::uint16_t hash);

// Checks that `values` digest to the quote's pcrDigest (under the signature's
// hash, which is the one the TPM uses). REQUIRES: `quote` came from
// VerifyQuote. Refusal: "quote.pcr_digest".
Status CheckPcrDigest(const Attest& quote, const PcrValues& values);

}  // namespace rampart::attest::tpm
