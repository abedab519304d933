#include "ledger/local_audit_sink.h"

#include <spdlog/spdlog.h>

#include "core/audit_json.h"

namespace rampart::ledger {

LocalAuditSink::LocalAuditSink(std::shared_ptr<Ledger> ledger, std::string submitter,
                               std::size_t max_pending, std::size_t max_entry_bytes)
    : ledger_(std::move(ledger)),
      submitter_(std::move(submitter)),
      max_pending_(max_pending),
      max_entry_bytes_(max_entry_bytes) {}

LocalAuditSink::~LocalAuditSink() {
  // Callbacks reference this object: wait for every queued event.
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return pending_ == 0; });
}

Status LocalAuditSink::Append(AuditEvent event) {
  EntryOptions opts;
  opts.submitter = submitter_;
  opts.max_bytes = max_entry_bytes_;
  std::string type = event.type;
  RAMPART_ASSIGN_OR_RETURN(ParsedEntry entry, ParseEntryValue(AuditEventToJson(event), opts));
  {
    std::lock_guard lock(mu_);
    if (closed_) return UnavailableError("audit sink: the ledger is stopping");
    if (pending_ >= max_pending_) {
      return ResourceExhaustedError("audit sink: " + std::to_string(pending_) +
                                    " events are waiting for the ledger");
    }
    ++pending_;
  }
  std::vector<ParsedEntry> batch;
  batch.push_back(std::move(entry));
  ledger_->AppendAsync(std::move(batch), [this, type](Result<AppendBatchResult> r) {
    if (r) {
      ++appended_;
    } else {
      ++failed_;
      spdlog::error("audit: a '{}' event could not be written to the ledger: {}", type,
                    r.error().ToString());
    }
    std::lock_guard lock(mu_);
    --pending_;
    cv_.notify_all();
  });
  return OkStatus();
}

Status LocalAuditSink::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return pending_ == 0; })) {
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
