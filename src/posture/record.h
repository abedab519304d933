// The assessment as a ledger entry: `posture.assessed`
// (docs/formats/ledger-entry.md). Digests and counts only — never evidence
// contents, keys or secrets: the report stays with the user, the ledger holds
// its digest so a later reader can tell which report was recorded.
#pragma once

#include <string>
#include <string_view>

#include "core/audit_sink.h"
#include "posture/assess.h"

namespace rampart::posture {

// "sha256:<hex>" of `bytes` (the controls file's text, the JSON report).
std::string DigestOf(std::string_view bytes);

// REQUIRES: a.time is the RFC 3339 time the assessment was made as of.
AuditEvent AssessedEvent(const Assessment& a, std::string controls_digest,
                         std::string report_digest, std::string actor);

}  // namespace rampart::posture
