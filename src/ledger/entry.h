// Ledger entries: the events of the ML pipeline, as canonical JSON (RFC 8785).
//
// The leaf of the Merkle tree is the canonical bytes of an entry, so the same
// event always hashes the same, whoever serialised it. The schema (common
// fields, the type-specific fields of each type, digest syntax) is in
// docs/formats/ledger-entry.md; Parse* enforces it on untrusted input and
// never throws.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/audit_sink.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/status.h"

namespace rampart::ledger {

inline constexpr std::size_t kDefaultMaxEntryBytes = 64 * 1024;

struct EntryOptions {
  std::size_t max_bytes = kDefaultMaxEntryBytes;  // raw input and canonical form
  // The authenticated identity that submits the entry; written as
  // "submitter". When set, an entry that carries its own "submitter" is
  // rejected: only the ledger says who submitted.
  std::string submitter;
  // Fills "time" when the entry has none.
  const Clock* clock = &Clock::Real();
};

struct ParsedEntry {
  std::string canonical;  // the leaf bytes
  std::string type;
  std::vector<std::string> digests;  // every artifact digest the entry names, deduplicated
};

// "sha256:<64 hex>", "sha384:<96 hex>", "sha512:<128 hex>", lowercase.
bool IsValidDigest(std::string_view d);

// The entry types Rampart knows, in docs order. Others must start with "x-".
const std::vector<std::string>& KnownEntryTypes();

// Parses, validates and canonicalises one entry given as JSON text.
Result<ParsedEntry> ParseEntry(std::string_view json_text, const EntryOptions& opts);
// Same for an already parsed JSON value (one element of a batch).
Result<ParsedEntry> ParseEntryValue(json::value v, const EntryOptions& opts);

// Takes an entry its in-process producer wrote in canonical form (RFC 8785)
// and vouches for (LocalAuditSink::AppendJson: the gateway's access
// summaries, whose writer is tested byte for byte against CanonicalJson).
// Only the top level is checked, without building a json tree: an object
// whose member names are plain ASCII in strictly increasing order, a known
// or "x-" type, a string "actor" and "time", no "submitter" when
// opts.submitter is set (which is inserted in its canonical place), the size
// limit. An entry that names digests (subjects, a digest field of its type)
// or whose names need escaping goes through ParseEntry instead, so the
// digest index and every check stay exact. For canonical valid text the
// result equals ParseEntry's.
Result<ParsedEntry> AdoptCanonicalEntry(std::string_view canonical, const EntryOptions& opts);

// Re-reads a stored entry (already canonical) to recover its type and
// digests; used by verification and re-indexing.
Result<ParsedEntry> ReparseStoredEntry(std::string_view canonical);

// Lineage-relevant fields of a parsed entry value.
struct LineageLinks {
  std::vector<std::string> produced;  // digests this event created (outputs, subjects)
  std::vector<std::string> parents;   // digests they were derived from (inputs, previous)
};
LineageLinks LineageOf(const json::object& entry);

}  // namespace rampart::ledger
