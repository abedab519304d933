#include "ledger/local_audit_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/audit_json.h"

namespace rampart::ledger {

LocalAuditSink::LocalAuditSink(std::shared_ptr<Ledger> ledger, std::string submitter,
                               std::size_t max_pending, std::size_t max_entry_bytes)
    : ledger_(std::move(ledger)),
      submitter_(std::move(submitter)),
      max_pending_(max_pending),
      max_entry_bytes_(max_entry_bytes) {}

LocalAuditSink::~LocalAuditSink() {
  // Callbacks reference this object: wait for every queued event, built now
  // rather than after the ledger's deferred interval.
  ledger_->Expedite();
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return pending_ == 0; });
}

Status LocalAuditSink::Append(AuditEvent event) {
  EntryOptions opts;
  opts.submitter = submitter_;
  opts.max_bytes = max_entry_bytes_;
  RAMPART_ASSIGN_OR_RETURN(ParsedEntry entry, ParseEntryValue(AuditEventToJson(event), opts));
  return Queue(std::move(entry));
}

Status LocalAuditSink::AppendJson(const std::string& entry_json) {
  EntryOptions opts;
  opts.submitter = submitter_;
  opts.max_bytes = max_entry_bytes_;
  // The text comes from a producer in this process that writes its entries
  // in canonical form (the gateway's audit batcher, tested for it): the top
  // level is checked, the rest is not parsed again (AdoptCanonicalEntry
  // takes the full ParseEntry path for anything it cannot check this way).
  RAMPART_ASSIGN_OR_RETURN(ParsedEntry entry, AdoptCanonicalEntry(entry_json, opts));
  return Queue(std::move(entry));
}

Status LocalAuditSink::Queue(ParsedEntry entry) {
  {
    std::lock_guard lock(mu_);
    if (closed_) return UnavailableError("audit sink: the ledger is stopping");
    if (pending_ >= max_pending_) {
      return ResourceExhaustedError("audit sink: " + std::to_string(pending_) +
                                    " events are waiting for the ledger");
    }
    ++pending_;
  }
  Submit(std::move(entry), 1);
  return OkStatus();
}

void LocalAuditSink::Submit(ParsedEntry entry, int attempt) {
  // The ledger consumes the entry; a failed commit needs it again.
  ParsedEntry copy = entry;
  std::vector<ParsedEntry> batch;
  batch.push_back(std::move(entry));
  // Nobody waits for an audit event's commit (Flush does, and expedites):
  // deferred, it shares a transaction and its fsync with the events of the
  // next interval (LedgerOptions::deferred_commit_interval).
  ledger_->AppendAsync(
      std::move(batch),
      [this, attempt, copy = std::move(copy)](Result<AppendBatchResult> r) mutable {
        if (r) {
          ++appended_;
        } else if (attempt < kMaxAttempts && r.error().code() != StatusCode::kResourceExhausted) {
          // A failed commit (the ledger recovers by itself): submit again, still
          // pending. Runs on the committer thread, outside the ledger's lock.
          spdlog::warn("audit: a '{}' event was not committed ({}); submitting it again", copy.type,
                       r.error().message());
          Submit(std::move(copy), attempt + 1);
          return;
        } else {
          ++failed_;
          spdlog::error("audit: a '{}' event could not be written to the ledger: {}", copy.type,
                        r.error().ToString());
        }
        std::lock_guard lock(mu_);
        --pending_;
        cv_.notify_all();
      },
      Urgency::kDeferred);
}

Status LocalAuditSink::Flush(std::chrono::milliseconds timeout) {
  // Expedited again every slice: an event submitted again after a failed
  // commit is deferred anew.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mu_);
  for (;;) {
    lock.unlock();
    ledger_->Expedite();
    lock.lock();
    auto slice =
        std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(50));
    if (cv_.wait_until(lock, slice, [&] { return pending_ == 0; })) break;
    if (std::chrono::steady_clock::now() >= deadline) break;
  }
  if (pending_ != 0) {
    return UnavailableError("audit sink: " + std::to_string(pending_) +
                            " events are still waiting for the ledger");
  }
  if (failed_ > 0) {
    return UnavailableError("audit sink: " + std::to_string(failed_.load()) +
                            " events could not be written");
  }
  return OkStatus();
}

}  // namespace rampart::ledger

namespace rampart::ledger {
void LocalAuditSink::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
}
}  // namespace rampart::ledger
