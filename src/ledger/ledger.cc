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
  RAMPART_RETURN_IF_ERROR(store_->CheckContiguous());
  RAMPART_RETURN_IF_ERROR(ReloadRange());
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
    // A new log starts with a signed empty tree, committed before any entry
    // can be. Entries without any checkpoint therefore mean the checkpoints
    // were deleted (or the entries inserted) outside Rampart: signing over
    // them would launder whatever was written.
    if (size_ > 0) {
      return CorruptionError(
          "the store holds " + std::to_string(size_) +
          " entries but no signed checkpoint; a ledger signs its empty tree before its first "
          "entry, so checkpoints were deleted outside Rampart. Refusing to sign over entries "
          "nobody vouched for: restore the store (with its checkpoints) from a backup and "
          "check it with `rampart ledger verify`.");
    }
    RAMPART_ASSIGN_OR_RETURN(CheckpointRecord rec, MakeCheckpoint(size_, range_.Root()));
    ledger::CommitBatch b;
    b.checkpoint = rec;
    RAMPART_RETURN_IF_ERROR(store_->Commit(b));
    latest_cp_ = rec;
  }
  cp_built_size_ = latest_cp_->size;
  cp_built_time_ = opts_.clock->SteadyNow();
  builder_ = std::thread([this] { BuildLoop(); });
  writer_ = std::thread([this] { WriteLoop(); });
  return OkStatus();
}

Status Ledger::ReloadRange() {
  RAMPART_ASSIGN_OR_RETURN(std::uint64_t n, store_->Size());
  std::vector<NodeId> ids = RangeNodes(0, n);
  RAMPART_ASSIGN_OR_RETURN(std::vector<Hash> nodes, store_->ReadNodes(ids));
  RAMPART_ASSIGN_OR_RETURN(range_, CompactRange::FromNodes(n, std::move(nodes)));
  // A commit whose outcome was unknown may have stored its checkpoint too:
  // the store, not memory, says which tree heads exist.
  RAMPART_ASSIGN_OR_RETURN(std::optional<CheckpointRecord> cp, store_->LatestCheckpoint());
  std::lock_guard lock(mu_);
  size_ = n;
  latest_cp_ = std::move(cp);
  cp_built_size_ = latest_cp_ ? latest_cp_->size : 0;
  return OkStatus();
}

Ledger::~Ledger() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  if (builder_.joinable()) builder_.join();  // drains the queue, then marks itself done
  if (writer_.joinable()) writer_.join();    // commits what was built
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

void Ledger::Expedite() {
  {
    std::lock_guard lock(mu_);
    expedite_ = true;
  }
  work_cv_.notify_all();
}

void Ledger::AppendAsync(std::vector<ParsedEntry> entries, Callback done, Urgency urgency) {
  if (entries.empty()) {
    AppendBatchResult r;
    r.tree_size = size();
    done(std::move(r));
    return;
  }
  std::vector<Hash> leaves;
  leaves.reserve(entries.size());
  for (const ParsedEntry& e : entries) leaves.push_back(LeafHash(e.canonical));
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
      const bool urgent = urgency == Urgency::kNow;
      if (urgent) ++urgent_queued_;
      queue_.push_back({std::move(entries), std::move(leaves), std::move(done), urgent});
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
  bool ok = cp_cv_.wait_for(
      lock, timeout, [&] { return (latest_cp_ && latest_cp_->size >= size) || !broken_.ok(); });
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

void Ledger::BuildLoop() {
  BecomeAuditThread("ledger-build");
  for (;;) {
    std::vector<Pending> batch;
    bool checkpoint_due = false;
    {
      std::unique_lock lock(mu_);
      if (reset_needed_) {
        // A commit failed: what was built on top of it is gone. Start again
        // from what the store holds, once the writer is idle.
        ready_cv_.wait(lock, [&] { return ready_.empty() && !writing_; });
        lock.unlock();
        Status r = ReloadRange();
        lock.lock();
        reset_needed_ = false;
        if (!r.ok()) broken_ = UnavailableError("ledger storage failed: " + r.message());
        cp_cv_.notify_all();
      }
      for (;;) {
        const Clock::SteadyTime now = opts_.clock->SteadyNow();
        bool behind = cp_built_size_ < range_.size();
        auto due_at = cp_built_time_ + opts_.checkpoint_interval;
        checkpoint_due = behind && now >= due_at;
        // Only deferred appends queued, fewer than a transaction holds, and
        // the previous build was recent: wait for company (see
        // LedgerOptions::deferred_commit_interval).
        auto deferred_until = last_build_ + opts_.deferred_commit_interval;
        bool deferring = !queue_.empty() && urgent_queued_ == 0 && !expedite_ && !stopping_ &&
                         queued_entries_ < opts_.max_batch_entries && now < deferred_until;
        if ((!queue_.empty() && !deferring) || checkpoint_due || reset_needed_) break;
        if (stopping_) {
          builder_done_ = true;
          ready_cv_.notify_all();
          return;
        }
        std::optional<Clock::SteadyTime> wake;
        if (behind) wake = due_at;
        if (deferring && (!wake || deferred_until < *wake)) wake = deferred_until;
        if (wake) {
          work_cv_.wait_until(lock, std::chrono::steady_clock::now() + (*wake - now));
        } else {
          work_cv_.wait(lock);
        }
      }
      if (reset_needed_) continue;
      std::size_t n = 0;
      while (!queue_.empty() &&
             (n == 0 || n + queue_.front().entries.size() <= opts_.max_batch_entries)) {
        n += queue_.front().entries.size();
        if (queue_.front().urgent) --urgent_queued_;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_entries_ -= n;
      if (queue_.empty()) expedite_ = false;
      last_build_ = opts_.clock->SteadyNow();
      building_ = true;
      if (!checkpoint_due && !batch.empty()) {
        checkpoint_due = opts_.clock->SteadyNow() >= cp_built_time_ + opts_.checkpoint_interval;
      }
    }
    auto built = Build(batch, checkpoint_due);
    if (!built) {
      spdlog::error("ledger: cannot build a commit: {}", built.error().ToString());
      for (Pending& p : batch) p.done(built.error());
      {
        std::lock_guard lock(mu_);
        building_ = false;
      }
      ready_cv_.notify_all();
      continue;
    }
    {
      std::unique_lock lock(mu_);
      // Two transactions in flight at most: one committing, one waiting.
      ready_cv_.wait(lock, [&] { return ready_.size() < 2 || reset_needed_; });
      if (reset_needed_) {
        lock.unlock();
        Status st = UnavailableError("an earlier commit failed; retry");
        for (Pending& p : built->pending) p.done(st);
        lock.lock();
        building_ = false;
        ready_cv_.notify_all();
        continue;
      }
      ready_.push_back(std::move(*built));
      building_ = false;
    }
    ready_cv_.notify_all();
  }
}

Result<Ledger::Built> Ledger::Build(std::vector<Pending>& batch, bool checkpoint_due) {
  CompactRange before = range_;
  Built b;
  b.results.resize(batch.size());
  std::vector<Hash> completed;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Pending& p = batch[i];
    for (std::size_t j = 0; j < p.entries.size(); ++j) {
      ParsedEntry& e = p.entries[j];
      EntryRecord rec;
      rec.index = range_.size();
      rec.leaf = p.leaves[j];
      completed.clear();
      range_.Append(rec.leaf, &completed);
      rec.nodes.reserve(completed.size() * kHashSize);
      for (const Hash& h : completed) {
        rec.nodes.append(reinterpret_cast<const char*>(h.data()), kHashSize);
      }
      for (std::string& d : e.digests) b.batch.index.emplace_back(std::move(d), rec.index);
      rec.data = std::move(e.canonical);
      b.results[i].entries.push_back({rec.index, rec.leaf});
      b.batch.entries.push_back(std::move(rec));
    }
  }
  b.size_after = range_.size();
  for (AppendBatchResult& r : b.results) r.tree_size = b.size_after;
  if (checkpoint_due) {
    auto cp = MakeCheckpoint(range_.size(), range_.Root());
    if (!cp) {
      range_ = before;
      return cp.error();
    }
    b.batch.checkpoint = std::move(*cp);
    cp_built_size_ = range_.size();
    cp_built_time_ = opts_.clock->SteadyNow();
  }
  b.pending = std::move(batch);
  return b;
}

void Ledger::WriteLoop() {
  BecomeAuditThread("ledger-write");
  for (;;) {
    Built b;
    {
      std::unique_lock lock(mu_);
      ready_cv_.wait(lock, [&] { return !ready_.empty() || builder_done_; });
      if (ready_.empty()) return;
      b = std::move(ready_.front());
      ready_.pop_front();
      writing_ = true;
    }
    ready_cv_.notify_all();
    Status st = store_->Commit(b.batch);
    std::vector<Built> discarded;
    {
      std::lock_guard lock(mu_);
      writing_ = false;
      acking_ = true;
      if (st.ok()) {
        size_ = b.size_after;
        ++commits_;
        committed_entries_ += b.batch.entries.size();
        if (b.batch.checkpoint) latest_cp_ = std::move(b.batch.checkpoint);
      } else {
        // The transaction rolled back (or its outcome is unknown because the
        // connection broke during COMMIT): everything built on it is void.
        reset_needed_ = true;
        for (Built& d : ready_) discarded.push_back(std::move(d));
        ready_.clear();
      }
    }
    ready_cv_.notify_all();
    work_cv_.notify_all();
    cp_cv_.notify_all();
    if (st.ok()) {
      for (std::size_t i = 0; i < b.pending.size(); ++i) b.pending[i].done(std::move(b.results[i]));
    } else {
      spdlog::error("ledger: commit failed: {}", st.ToString());
      for (Pending& p : b.pending) p.done(st);
      Status later = UnavailableError("an earlier commit failed; retry");
      for (Built& d : discarded) {
        for (Pending& p : d.pending) p.done(later);
      }
    }
    {
      std::lock_guard lock(mu_);
      acking_ = false;
    }
    ready_cv_.notify_all();
  }
}

bool Ledger::Drain(std::chrono::milliseconds timeout) {
  Expedite();  // deferred appends too, now
  std::unique_lock lock(mu_);
  return ready_cv_.wait_for(lock, timeout, [&] {
    return queue_.empty() && ready_.empty() && !building_ && !writing_ && !acking_;
  });
}

}  // namespace rampart::ledger
