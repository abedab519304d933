// Evidence: what a check saw, where it came from, when, and its digest
// (docs/formats/controls.md, "Evidence files"). Evidence files are untrusted
// bytes: every problem becomes an invalid Evidence with a reason, never an
// error that stops the assessment.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/diagnostic.h"
#include "posture/controls.h"

namespace rampart::posture {

enum class State { kPass, kFail, kMissing, kStale, kInvalid, kNotApplicable };
std::string_view ToString(State s);  // "pass", "fail", "missing", ...
// Ordering for aggregation: fail > invalid > stale > missing > pass > n/a.
int Severity(State s);

struct Detail {
  std::string message;
  SourceLocation where;  // in the estate, when known
};

struct Evidence {
  std::string check;   // check id; "" for a file whose kind could not be read
  std::string source;  // the command, or the evidence file's name
  std::string time;    // RFC 3339 UTC
  std::string digest;  // "sha256:<hex>" of the evidence bytes
  State state = State::kMissing;
  std::string reason;  // why it is not a pass (invalid/stale: what is wrong)
  std::vector<Detail> details;
};

// A live check's evidence: its digest is the SHA-256 of the canonical JSON of
// {check, state, reason, details} (the bytes it stands for).
Evidence LiveEvidence(std::string check, std::string source, std::string time, State state,
                      std::string reason, std::vector<Detail> details);

struct EvidenceContext {
  std::string estate_digest;  // "sha256:<hex>"
  Clock::SystemTime now;
  std::chrono::seconds max_age{7 * 24 * 3600};
  std::optional<crypto::PublicKey> key;  // verifies envelope signatures
};

// Reads one evidence envelope and returns one Evidence per check of
// `controls` that takes evidence of its kind (or one with check "" when the
// kind cannot be told).
std::vector<Evidence> EvaluateEvidenceFile(std::string_view bytes, std::string_view name,
                                           const EvidenceContext& ctx, const Controls& controls);

// "7d", "12h", "30m", "90s" -> seconds; InvalidArgument otherwise.
Result<std::chrono::seconds> ParseMaxAge(std::string_view s);

// The bytes an envelope's signature covers: the canonical JSON of the
// envelope without "signature". InvalidArgument if `envelope` is not an object.
Result<std::string> SignedBytes(std::string_view envelope_json);

}  // namespace rampart::posture
