// Read-side questions over a stored log: events about an artifact (find),
// where a model came from (lineage), and offline-verifiable proof bundles.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/store.h"

namespace rampart::ledger {

// One stored entry, decoded for display.
struct EntryView {
  std::uint64_t index = 0;
  json::object entry;
};

// Every entry naming `digest` (as a subject, input, output or previous
// version), oldest first, at most `limit`.
Result<std::vector<EntryView>> FindEntries(Store& store, std::string_view digest,
                                           std::size_t limit = 1000);

struct LineageEdge {
  std::string child;        // e.g. the model checkpoint
  std::string parent;       // e.g. a dataset it was trained on
  std::uint64_t index = 0;  // the entry that links them
  std::string type;
};

struct Lineage {
  std::string root;
  std::vector<LineageEdge> edges;  // breadth first from the root
  // Every artifact reached, with the entries naming it.
  std::map<std::string, std::vector<EntryView>> events;
  bool truncated = false;  // hit `max_artifacts`
};

// Walks back from `digest` through training.finished (outputs <- inputs) and
// dataset.changed (subject <- previous) entries.
Result<Lineage> WalkLineage(Store& store, std::string_view digest, std::size_t max_artifacts = 256);

json::value LineageToJson(const Lineage& l);

// ---- Proof bundles (docs/formats/ledger-proof.md) ----------------------------

struct ProofBundle {
  std::uint64_t index = 0;
  std::uint64_t tree_size = 0;
  std::vector<Hash> proof;
  std::string checkpoint;            // the signed note
  std::optional<json::value> entry;  // the entry; its canonical form is the leaf
  std::optional<Hash> leaf_hash;
};

// Parses untrusted bundle JSON (bounded).
Result<ProofBundle> ParseProofBundle(std::string_view text);
std::string ProofBundleToJson(const ProofBundle& b);

// Builds the bundle for entry `index` against the latest checkpoint.
Result<ProofBundle> MakeProofBundle(Store& store, std::uint64_t index);

// Offline check: the checkpoint is signed by `verifier`, and the entry (or the
// leaf hash when no entry is given) is at `index` in that tree.
// Returns the verified checkpoint size.
Result<std::uint64_t> VerifyProofBundle(const ProofBundle& b, const NoteVerifier& verifier);

}  // namespace rampart::ledger
