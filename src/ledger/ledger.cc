#include "ledger/ledger.h"

#include <spdlog/spdlog.h>

namespace rampart::ledger {

NodeReader StoreNodeReader(Store& store) {
  return [&store](std::span<const NodeId> ids) { return store.ReadNodes(ids); };
}

Result<std::unique_ptr<Ledger>> Ledger::Open(std::unique_ptr<Store> store, NoteSigner signer,
                                             LedgerOptions opts) {
  std::unique_ptr<Ledger> l(new Ledger(std::move(store), std::move(signer), opts));
  RAMPART_RETURN_IF_ERROR(l->Start());
  return l;
}

Status Ledger::Start() {
  const std::string vkey = signer_.verifier().ToString();
  RAMPART_ASSIGN_OR_RETURN(std::optional<std::string> stored_key, store_->GetMeta("vkey"));
  if (stored_key && *stored_key != vkey) {
    return PermissionDeniedError("this ledger was created with key " + *stored_key +
                                 "; refusing to sign it with " + vkey);
  }
  if (!stored_key) {
    RAMPART_RETURN_IF_ERROR(store_->PutMeta("origin", signer_.name()));
    RAMPART_RETURN_IF_ERROR(store_->PutMeta("vkey", vkey));
    RAMPART_RETURN_IF_ERROR(store_->PutMeta("format", "rampart-ledger-1"));
  }
  RAMPART_RETURN_IF_ERROR(ReloadRange());
  RAMPART_ASSIGN_OR_RETURN(latest_cp_, store_->LatestCheckpoint());
  if (latest_cp_) {
    // Fail closed: never extend a tree that disagrees with what we signed.
    RAMPART_ASSIGN_OR_RETURN(Checkpoint cp, OpenCheckpoint(latest_cp_->note, signer_.verifier()));
    if (cp.size > size_) {
      return CorruptionError("the latest checkpoint covers " + std::to_string(cp.size) +
                             " entries but the store holds " + std::to_string(size_) +
                             "; entries were deleted. Run `rampart ledger verify`.");
    }
    RAMPART_ASSIGN_OR_RETURN(Hash root, RootAt(cp.size, StoreNodeReader(*store_)));
    if (root != cp.root) {
      return CorruptionError("the stored tree does not match the latest signed checkpoint (size " +
                             std::to_string(cp.size) + "). Run `rampart ledger verify`.");
    }
  } else {
    // A new log starts with a signed empty tree (or a signed tree over what
    // is there, for a store written by an earlier run that crashed early).
    RAMPART_ASSIGN_OR_RETURN(CheckpointRecord rec, MakeCheckpoint(size_, range_.Root()));
    ledger::CommitBatch b;
    b.checkpoint = rec;
    RAMPART_RETURN_IF_ERROR(store_->Commit(b));
    latest_cp_ = rec;
  }
  last_cp_time_ = opts_.clock->SteadyNow();
  committer_ = std::thread([this] { Run(); });
  return OkStatus();
}

Status Ledger::ReloadRange() {
  RAMPART_ASSIGN_OR_RETURN(std::uint64_t n, store_->Size());
  std::vector<NodeId> ids = RangeNodes(0, n);
  RAMPART_ASSIGN_OR_RETURN(std::vector<Hash> nodes, store_->ReadNodes(ids));
  RAMPART_ASSIGN_OR_RETURN(range_, CompactRange::FromNodes(n, std::move(nodes)));
  std::lock_guard lock(mu_);
  size_ = n;
  return OkStatus();
}

Ledger::~Ledger() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  if (committer_.joinable()) committer_.join();
}

std::uint64_t Ledger::size() const {
  std::lock_guard lock(mu_);
  return size_;
}
std::uint64_t Ledger::commits() const {
  std::lock_guard lock(mu_);
  return commits_;
}
std::uint64_t Ledger::committed_entries() const {
  std::lock_guard lock(mu_);
  return committed_entries_;
}

void Ledger::AppendAsync(std::vector<ParsedEntry> entries, Callback done) {
  if (entries.empty()) {
    AppendBatchResult r;
    r.tree_size = size();
    done(std::move(r));
    return;
  }
  Status refused;
  {
    std::lock_guard lock(mu_);
    if (!broken_.ok()) {
      refused = broken_;
    } else if (stopping_) {
      refused = UnavailableError("the ledger is shutting down");
    } else if (queued_entries_ + entries.size() > opts_.max_queue_entries) {
      refused = ResourceExhaustedError("the ledger's append queue is full (" +
                                       std::to_string(opts_.max_queue_entries) +
                                       " entries); retry later");
    } else {
      queued_entries_ += entries.size();
      queue_.push_back({std::move(entries), std::move(done)});
    }
  }
  if (!refused.ok()) {
    done(refused);
    return;
  }
  work_cv_.notify_one();
}

Result<AppendBatchResult> Ledger::Append(std::vector<ParsedEntry> entries) {
  std::mutex m;
  std::condition_variable cv;
  std::optional<Result<AppendBatchResult>> out;
  AppendAsync(std::move(entries), [&](Result<AppendBatchResult> r) {
    std::lock_guard lock(m);
    out = std::move(r);
    cv.notify_one();
  });
  std::unique_lock lock(m);
  cv.wait(lock, [&] { return out.has_value(); });
  return std::move(*out);
}

Result<CheckpointRecord> Ledger::WaitForCheckpoint(std::uint64_t size,
                                                   std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  bool ok = cp_cv_.wait_for(lock, timeout, [&] {
    return (latest_cp_ && latest_cp_->size >= size) || !broken_.ok();
  });
  if (!broken_.ok()) return broken_;
  if (!ok) return UnavailableError("no checkpoint covers " + std::to_string(size) + " entries yet");
  return *latest_cp_;
}

Result<CheckpointRecord> Ledger::MakeCheckpoint(std::uint64_t size, const Hash& root) {
  Checkpoint cp;
  cp.origin = signer_.name();
  cp.size = size;
  cp.root = root;
  RAMPART_ASSIGN_OR_RETURN(std::string note, SignCheckpoint(cp, signer_));
  CheckpointRecord rec;
  rec.size = size;
  rec.note = std::move(note);
  rec.created = FormatRfc3339(opts_.clock->Now(), 3);
  return rec;
}

void Ledger::Run() {
  for (;;) {
    std::vector<Pending> batch;
    bool checkpoint_due = false;
    {
      std::unique_lock lock(mu_);
      for (;;) {
        bool behind = !latest_cp_ || latest_cp_->size < size_;
        auto due_at = last_cp_time_ + opts_.checkpoint_interval;
        checkpoint_due = behind && opts_.clock->SteadyNow() >= due_at;
        if (!queue_.empty() || checkpoint_due) break;
        if (stopping_) return;
        if (behind) {
          work_cv_.wait_until(lock, std::chrono::steady_clock::now() +
                                        (due_at - opts_.clock->SteadyNow()));
        } else {
          work_cv_.wait(lock);
        }
      }
      std::size_t n = 0;
      while (!queue_.empty() && (n == 0 || n + queue_.front().entries.size() <= opts_.max_batch_entries)) {
        n += queue_.front().entries.size();
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_entries_ -= n;
      if (!checkpoint_due && !batch.empty()) {
        // The entries of this batch make the tree bigger than its checkpoint.
        checkpoint_due = opts_.clock->SteadyNow() >= last_cp_time_ + opts_.checkpoint_interval;
      }
    }
    Status st = CommitPending(batch, checkpoint_due);
    if (!st.ok()) {
      spdlog::error("ledger: commit failed: {}", st.ToString());
      for (Pending& p : batch) p.done(st);
    }
  }
}

Status Ledger::CommitPending(std::vector<Pending>& batch, bool checkpoint_due) {
  CompactRange before = range_;
  ledger::CommitBatch b;
  std::vector<AppendBatchResult> results(batch.size());
  std::vector<Hash> completed;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    for (ParsedEntry& e : batch[i].entries) {
      EntryRecord rec;
      rec.index = range_.size();
      rec.leaf = LeafHash(e.canonical);
      completed.clear();
      range_.Append(rec.leaf, &completed);
      rec.nodes.reserve(completed.size() * kHashSize);
      for (const Hash& h : completed) {
        rec.nodes.append(reinterpret_cast<const char*>(h.data()), kHashSize);
      }
      for (std::string& d : e.digests) b.index.emplace_back(std::move(d), rec.index);
      rec.data = std::move(e.canonical);
      results[i].entries.push_back({rec.index, rec.leaf});
      b.entries.push_back(std::move(rec));
    }
  }
  for (AppendBatchResult& r : results) r.tree_size = range_.size();
  if (checkpoint_due) {
    auto cp = MakeCheckpoint(range_.size(), range_.Root());
    if (!cp) {
      range_ = before;
      return cp.error();
    }
    b.checkpoint = std::move(*cp);
  }
  Status st = store_->Commit(b);
  if (!st.ok()) {
    // The transaction rolled back, or its outcome is unknown (the connection
    // broke during COMMIT): rebuild the border from what the store holds.
    if (Status r = ReloadRange(); !r.ok()) {
      std::lock_guard lock(mu_);
      broken_ = UnavailableError("ledger storage failed: " + r.message());
    }
    return st;
  }
  {
    std::lock_guard lock(mu_);
    size_ = range_.size();
    ++commits_;
    committed_entries_ += b.entries.size();
    if (b.checkpoint) {
      latest_cp_ = std::move(b.checkpoint);
      last_cp_time_ = opts_.clock->SteadyNow();
    }
  }
  if (checkpoint_due) cp_cv_.notify_all();
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(results[i]));
  return OkStatus();
}

}  // namespace rampart::ledger
