// Claims as JSON (docs/formats/attest-claims.md): what `rampart attest
// verify` prints and what a token or ledger entry can carry.
#pragma once

#include <string>

#include "attest/evidence.h"

namespace rampart::attest {

// Indented JSON, keys in a fixed order (tee, tcb_status, advisory_ids, debug,
// measurements, report_data, attributes, evidence_digest).
std::string ClaimsToJson(const Claims& c);

}  // namespace rampart::attest
