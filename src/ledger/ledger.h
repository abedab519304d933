// Ledger: the append side of the log. Owns the Store, the signing key and
// one committer thread that group-commits appends and signs checkpoints.
//
// An append is acknowledged (its callback runs, Append() returns) only after
// the transaction holding it is durable. Appends that arrive while a commit
// is in flight wait in a bounded queue and go into the next transaction
// together: one fsync for many entries. A checkpoint (C2SP tlog-checkpoint,
// signed note) is written in the same transaction as the entries when one is
// due (every `checkpoint_interval`), so a signed tree head never refers to
// entries that are not durable.
//
// Thread-safety: all public methods are thread-safe. The Ledger must outlive
// pending AppendAsync callbacks; the destructor commits what is queued, then
// stops the committer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/node_cache.h"
#include "ledger/note.h"
#include "ledger/store.h"

namespace rampart::ledger {

struct LedgerOptions {
  std::size_t max_batch_entries = 8192;   // entries per transaction
  std::size_t max_queue_entries = 65536;  // waiting appends before ResourceExhausted
  std::chrono::milliseconds checkpoint_interval{200};
  // Deferred appends (AppendAsync with Urgency::kDeferred: nobody waits for
  // them, the in-process audit sink's) wait in the queue until this long
  // after the previous transaction was built, so that a steady stream of
  // them shares one transaction and one fsync per interval instead of one
  // each. An urgent append, a due checkpoint, a full transaction's worth of
  // entries, Expedite() or shutdown builds at once. 0: no waiting.
  std::chrono::milliseconds deferred_commit_interval{10};
  const Clock* clock = &Clock::Real();
};

// Whether an append's transaction is built as soon as the writer can take
// it (kNow: a caller waits for it), or may wait for company (kDeferred).
enum class Urgency { kNow, kDeferred };

struct AppendResult {
  std::uint64_t index = 0;
  Hash leaf{};
};

struct AppendBatchResult {
  std::vector<AppendResult> entries;
  std::uint64_t tree_size = 0;  // the size of the tree right after this batch
};

class Ledger {
 public:
  using Callback = std::move_only_function<void(Result<AppendBatchResult>)>;

  // Opens the log in `store`. On a new store, records the origin (the key
  // name) and the verifier key and signs the empty tree. On an existing one,
  // refuses a different key, and refuses to start when the latest checkpoint
  // does not match the stored tree (run `rampart ledger verify`).
  static Result<std::unique_ptr<Ledger>> Open(std::unique_ptr<Store> store, NoteSigner signer,
                                              LedgerOptions opts = {});
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Appends validated entries, in order, as consecutive indices; blocks until durable.
  Result<AppendBatchResult> Append(std::vector<ParsedEntry> entries);
  // Same, without blocking: `done` runs on the committer thread once durable
  // (or failed). ResourceExhausted at once when the queue is full.
  void AppendAsync(std::vector<ParsedEntry> entries, Callback done,
                   Urgency urgency = Urgency::kNow);
  // Builds the next transaction from what is queued now, deferred appends
  // included, without waiting for the deferred interval (a flush).
  void Expedite();

  // Waits until a signed checkpoint covers `size` entries.
  Result<CheckpointRecord> WaitForCheckpoint(std::uint64_t size, std::chrono::milliseconds timeout);

  std::uint64_t size() const;
  // Waits until every append accepted so far is committed (or failed) and
  // its callback has returned; deferred appends are built at once. False on
  // timeout.
  bool Drain(std::chrono::milliseconds timeout);
  Store& store() { return *store_; }
  // Reads tree nodes for proofs, with the upper levels cached (node_cache.h).
  NodeReader nodes() { return CachedNodeReader(*store_, node_cache_); }
  const NoteVerifier& verifier() const { return signer_.verifier(); }
  const std::string& origin() const { return signer_.name(); }

  // Commits completed since Open, and the entries they held (for benchmarks).
  std::uint64_t commits() const;
  std::uint64_t committed_entries() const;

 private:
  struct Pending {
    std::vector<ParsedEntry> entries;
    std::vector<Hash> leaves;  // hashed by the caller's thread, off the commit path
    Callback done;
    bool urgent = true;
  };
  // A transaction built by the builder thread, waiting for the writer.
  struct Built {
    ledger::CommitBatch batch;
    std::vector<Pending> pending;
    std::vector<AppendBatchResult> results;
    std::uint64_t size_after = 0;
  };
  Ledger(std::unique_ptr<Store> store, NoteSigner signer, LedgerOptions opts)
      : store_(std::move(store)), signer_(std::move(signer)), opts_(opts) {}
  Status Start();
  void BuildLoop();
  void WriteLoop();
  Result<Built> Build(std::vector<Pending>& batch, bool checkpoint_due);
  Result<CheckpointRecord> MakeCheckpoint(std::uint64_t size, const Hash& root);
  Status ReloadRange();  // builder thread (or before it starts)

  std::unique_ptr<Store> store_;
  NodeCache node_cache_;
  NoteSigner signer_;
  LedgerOptions opts_;

  // Two stages so that hashing and signing batch k+1 overlap the fsync of
  // batch k: the builder turns queued appends into transactions (extending
  // the tree), the writer commits them in order and acknowledges.
  mutable std::mutex mu_;
  std::condition_variable work_cv_;   // the builder waits for appends
  std::condition_variable ready_cv_;  // builder <-> writer hand-off
  std::condition_variable cp_cv_;     // WaitForCheckpoint waits for checkpoints
  std::deque<Pending> queue_;
  std::size_t queued_entries_ = 0;
  std::size_t urgent_queued_ = 0;   // queued appends made with Urgency::kNow
  bool expedite_ = false;           // Expedite(): build what is queued now
  Clock::SteadyTime last_build_{};  // when the builder last took appends
  std::deque<Built> ready_;
  bool building_ = false;  // the builder holds appends taken from the queue
  bool writing_ = false;
  bool acking_ = false;        // the writer is running callbacks
  bool reset_needed_ = false;  // a commit failed: rebuild the tree border from the store
  bool builder_done_ = false;
  bool stopping_ = false;
  Status broken_;           // set when the store failed in a way we cannot recover from
  std::uint64_t size_ = 0;  // committed
  std::optional<CheckpointRecord> latest_cp_;  // committed
  std::uint64_t commits_ = 0;
  std::uint64_t committed_entries_ = 0;

  // Builder thread only.
  CompactRange range_;
  std::uint64_t cp_built_size_ = 0;
  Clock::SteadyTime cp_built_time_{};

  std::thread builder_;
  std::thread writer_;
};

// Reads tree nodes from a store, for the proof functions of merkle.h.
NodeReader StoreNodeReader(Store& store);

}  // namespace rampart::ledger
