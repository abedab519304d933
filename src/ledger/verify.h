// Full verification of a stored log: recompute every leaf and tree node from
// the stored entries and check the tree against every checkpoint ever issued.
//
// Detects: an entry whose content changed (its leaf hash no longer matches),
// a changed tree node, a missing entry, a checkpoint whose signature fails,
// and a stored tree that no longer matches a signed checkpoint (content and
// hashes rewritten together: only the signatures are left to tell). The
// report names the first entry index that no longer matches.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "ledger/note.h"
#include "ledger/store.h"

namespace rampart::ledger {

struct VerifyReport {
  std::uint64_t entries = 0;      // entries in the store
  std::uint64_t checkpoints = 0;  // checkpoints checked
  std::optional<std::uint64_t> first_bad_index;
  std::vector<std::string> problems;  // the first few, in the order found
  bool ok() const { return problems.empty(); }
};

// `progress(done, total)` is called now and then while entries are read.
// Returns a Status only when the store cannot be read; findings are in the report.
Result<VerifyReport> VerifyLog(
    Store& store, const NoteVerifier& verifier,
    const std::function<void(std::uint64_t, std::uint64_t)>& progress = {});

}  // namespace rampart::ledger
