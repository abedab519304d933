// The in-process AuditSink: `rampart serve` hands it to the gateway so access
// summaries go straight into the ledger running in the same process.
//
// Append() validates the event as a ledger entry (a bad event is refused at
// once with InvalidArgument) and queues it on the ledger without waiting; the
// ledger group-commits it with others. Memory is bounded: at most
// `max_pending` events wait for their commit, after which Append() returns
// ResourceExhausted (back-pressure; the caller decides). An event whose
// commit failed (the ledger rolls back and recovers) is submitted again, up
// to kMaxAttempts times in all, while it still counts as pending; after that
// (or when the ledger's own queue is full) it is logged at error level with
// the event type and counted in failed().
//
// Thread-safety: thread-safe. The sink keeps the Ledger alive; Close() makes
// later appends fail with Unavailable (the service is stopping).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "core/audit_sink.h"
#include "ledger/ledger.h"

namespace rampart::ledger {

class LocalAuditSink final : public AuditSink {
 public:
  // `submitter` is recorded in each entry as who submitted it.
  LocalAuditSink(std::shared_ptr<Ledger> ledger, std::string submitter,
                 std::size_t max_pending = 10000,
                 std::size_t max_entry_bytes = kDefaultMaxEntryBytes);
  ~LocalAuditSink() override;

  Status Append(AuditEvent event) override;
  // For in-process producers that write canonical text (the gateway's audit
  // batcher): checks the top level and adopts the text as it is
  // (AdoptCanonicalEntry), falling back to a full ParseEntry.
  Status AppendJson(const std::string& entry_json) override;
  Status Flush(std::chrono::milliseconds timeout) override;
  void Close();

  std::uint64_t appended() const { return appended_; }
  std::uint64_t failed() const { return failed_; }

  static constexpr int kMaxAttempts = 5;

 private:
  void Submit(ParsedEntry entry, int attempt);
  Status Queue(ParsedEntry entry);

  std::shared_ptr<Ledger> ledger_;
  bool closed_ = false;
  std::string submitter_;
  std::size_t max_pending_;
  std::size_t max_entry_bytes_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t pending_ = 0;
  std::atomic<std::uint64_t> appended_{0};
  std::atomic<std::uint64_t> failed_{0};
};

}  // namespace rampart::ledger
