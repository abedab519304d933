#include "ledger/verify.h"

#include <algorithm>
#include <cstring>

#include "ledger/checkpoint.h"

namespace rampart::ledger {
namespace {

constexpr std::size_t kMaxProblems = 20;

class Verifier {
 public:
  Verifier(Store& store, const NoteVerifier& v,
           const std::function<void(std::uint64_t, std::uint64_t)>& progress)
      : store_(store), verifier_(v), progress_(progress) {}

  Result<VerifyReport> Run() {
    RAMPART_ASSIGN_OR_RETURN(report_.entries, store_.Size());
    Status st = store_.ScanCheckpoints([&](const CheckpointRecord& rec) { return Check(rec); });
    RAMPART_RETURN_IF_ERROR(st);
    RAMPART_RETURN_IF_ERROR(Advance(report_.entries));
    if (report_.checkpoints == 0) Problem(std::nullopt, "the log has no signed checkpoint");
    return report_;
  }

 private:
  void Problem(std::optional<std::uint64_t> index, std::string what) {
    if (index && (!report_.first_bad_index || *index < *report_.first_bad_index)) {
      report_.first_bad_index = index;
    }
    if (report_.problems.size() < kMaxProblems) report_.problems.push_back(std::move(what));
  }

  // Recomputes the tree over stored entries [pos_, to).
  Status Advance(std::uint64_t to) {
    if (stuck_ || to <= pos_) return OkStatus();
    std::vector<Hash> completed;
    Status st = store_.Scan(pos_, to, [&](const EntryRecord& rec) -> Status {
      if (rec.index != pos_) {
        Problem(pos_, "entry " + std::to_string(pos_) + " is missing from the store");
        stuck_ = true;
        return CorruptionError("gap");
      }
      Hash leaf = LeafHash(rec.data);
      if (leaf != rec.leaf) {
        Problem(rec.index, "entry " + std::to_string(rec.index) +
                               ": its content does not match its stored leaf hash");
      }
      completed.clear();
      range_.Append(leaf, &completed);
      bool nodes_ok = rec.nodes.size() == completed.size() * kHashSize;
      for (std::size_t i = 0; nodes_ok && i < completed.size(); ++i) {
        nodes_ok =
            std::memcmp(rec.nodes.data() + i * kHashSize, completed[i].data(), kHashSize) == 0;
      }
      if (!nodes_ok && leaf == rec.leaf) {
        Problem(rec.index, "entry " + std::to_string(rec.index) +
                               ": the tree nodes stored with it do not match the entries");
      }
      ++pos_;
      if (progress_ && pos_ % 65536 == 0) progress_(pos_, report_.entries);
      return OkStatus();
    });
    if (stuck_) return OkStatus();
    RAMPART_RETURN_IF_ERROR(st);
    if (pos_ < to) {
      Problem(pos_, "entry " + std::to_string(pos_) + " is missing from the store");
      stuck_ = true;
    }
    return OkStatus();
  }

  Status Check(const CheckpointRecord& rec) {
    ++report_.checkpoints;
    auto cp = OpenCheckpoint(rec.note, verifier_);
    if (!cp) {
      Problem(std::nullopt, "checkpoint at size " + std::to_string(rec.size) +
                                " does not verify: " + cp.error().message());
      return OkStatus();
    }
    if (cp->size != rec.size) {
      Problem(std::nullopt, "checkpoint row " + std::to_string(rec.size) +
                                " holds a note for size " + std::to_string(cp->size));
      return OkStatus();
    }
    if (cp->size > report_.entries) {
      Problem(report_.entries, "checkpoint at size " + std::to_string(cp->size) +
                                   " covers entries the store no longer has (it has " +
                                   std::to_string(report_.entries) + ")");
      return OkStatus();
    }
    RAMPART_RETURN_IF_ERROR(Advance(cp->size));
    if (stuck_) return OkStatus();
    if (range_.Root() != cp->root) {
      Problem(last_good_size_, "the tree of size " + std::to_string(cp->size) +
                                   " does not match its signed checkpoint: an entry in [" +
                                   std::to_string(last_good_size_) + ", " +
                                   std::to_string(cp->size) + ") was changed");
    } else if (!report_.first_bad_index) {
      last_good_size_ = cp->size;
    }
    return OkStatus();
  }

  Store& store_;
  const NoteVerifier& verifier_;
  const std::function<void(std::uint64_t, std::uint64_t)>& progress_;
  VerifyReport report_;
  CompactRange range_;
  std::uint64_t pos_ = 0;
  std::uint64_t last_good_size_ = 0;
  bool stuck_ = false;
};

}  // namespace

Result<VerifyReport> VerifyLog(Store& store, const NoteVerifier& verifier,
                               const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  Verifier v(store, verifier, progress);
  return v.Run();
}

}  // namespace rampart::ledger
