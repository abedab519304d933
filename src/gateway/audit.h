// Per-request audit records, batched into `access.summary` ledger entries
// (docs/formats/ledger-entry.md) through core's AuditSink, and the JSON
// access log.
//
// An access.summary entry covers a window of requests: window_start,
// window_end, requests, denied (refused by the gateway: never forwarded),
// principals, models, endpoint, and `records` — one object per request:
// {time, request_id, identity, model, route, status, prompt_tokens,
// completion_tokens, duration_us[, prompt_digest]}. Prompt text is never
// recorded; a SHA-256 of the request body only when configured.
//
// A batch is flushed when it holds `batch_size` records, when `window` has
// passed since its first record, or when its entry would exceed
// `max_entry_bytes` (the ledger's per-entry limit, 64 KiB by default).
// Appends happen on the batcher's own thread, never on an I/O thread.
//
// Failures (docs/formats/gateway-config.md, "Audit"). An entry the sink
// refuses (ledger down, back-pressure) is retried, in order, with
// exponential backoff from `retry_initial_delay` up to `retry_max_delay`;
// records that arrive meanwhile wait behind it. Memory is bounded: at most
// `max_pending` records are held (queued, being delivered, or reserved by a
// request in flight). After `retry_max_attempts` refusals in a row:
//  - drop mode: the entry's records are dropped and delivery moves on;
//  - reject mode: the entry is kept and retried every `retry_max_delay`, and
//    Reserve() fails (the gateway answers 503) until the sink accepts again.
// An entry the sink refuses as invalid is dropped at once (retrying won't
// help). Every dropped record is counted in Metrics::audit_dropped by reason
// and logged, at most once per `drop_log_interval` (never once per record).
//
// Thread-safety: Reserve() and Record() from any thread; Stop() once.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/audit_sink.h"
#include "gateway/metrics.h"

namespace spdlog {
class logger;
}

namespace rampart::gateway {

struct AccessRecord {
  std::chrono::system_clock::time_point time;  // when the request head arrived
  std::string request_id;
  std::string remote;  // client address
  std::string method;
  std::string path;      // without the query (it may carry secrets)
  std::string identity;  // "" when not authenticated
  std::string model;
  std::string route;  // route name, or "unmatched"
  int status = 0;
  std::string error_code;  // the error's code when the gateway answered an error
  bool denied = false;     // refused by the gateway (never reached the upstream)
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
  std::uint64_t bytes_in = 0;   // request body
  std::uint64_t bytes_out = 0;  // response body
  std::uint64_t duration_us = 0;
  std::string prompt_digest;  // "sha256:..." when configured
  std::string filter_notes;   // the filters' annotations, "; "-separated (never prompt text)
};

struct AuditBatcherOptions {
  std::size_t batch_size = 256;
  std::chrono::milliseconds window{1000};
  std::size_t max_entry_bytes = 60 * 1024;
  std::string actor = "rampart-gateway";  // the entries' actor
  std::string endpoint;                   // e.g. "http://127.0.0.1:8080"
  std::size_t max_pending = 100000;       // records held; beyond, they are dropped (queue_full)
  bool reject_on_failure = false;         // reject mode (see above); else drop mode
  int retry_max_attempts = 5;             // refusals of one entry before it counts as failed
  std::chrono::milliseconds retry_initial_delay{100};
  std::chrono::milliseconds retry_max_delay{5000};
  std::chrono::milliseconds drop_log_interval{10000};
};

class AuditBatcher {
 public:
  // The fields of an AccessRecord the audit trail keeps (written into the
  // entry by AppendRecord in audit.cc), in a compact form: the numbers in
  // place, the strings copied into the batch's byte buffer (Batch::bytes)
  // one after the other. Queuing a record allocates nothing once the
  // batch's buffers have grown (they are reused, see Batch).
  struct Entry {
    enum Str { kRequestId, kIdentity, kModel, kRoute, kPromptDigest, kStrings };
    std::chrono::system_clock::time_point time;
    std::uint32_t offset = 0;                   // of the first string in Batch::bytes
    std::array<std::uint32_t, kStrings> len{};  // of each string, in Str order
    int status = 0;
    bool denied = false;
    std::uint64_t prompt_tokens = 0;
    std::uint64_t completion_tokens = 0;
    std::uint64_t duration_us = 0;
  };
  // Records queued together, and the bytes of their strings.
  struct Batch {
    std::vector<Entry> entries;
    std::string bytes;
    std::size_t size() const { return entries.size(); }
    bool empty() const { return entries.empty(); }
    void clear() {
      entries.clear();
      bytes.clear();
    }
    void swap(Batch& o) {
      entries.swap(o.entries);
      bytes.swap(o.bytes);
    }
    // The string `k` of entry `e`.
    std::string_view str(const Entry& e, Entry::Str k) const {
      std::size_t off = e.offset;
      for (int i = 0; i < k; ++i) off += e.len[i];
      return std::string_view(bytes).substr(off, e.len[k]);
    }
  };

  // Room held for the record of one request in flight: a request admitted
  // with a Slot always has its record kept. Movable; an unused Slot gives its
  // room back on destruction. Must not outlive its AuditBatcher.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& o) noexcept : b_(std::exchange(o.b_, nullptr)) {}
    Slot& operator=(Slot&& o) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() { Release(); }
    explicit operator bool() const { return b_ != nullptr; }

   private:
    friend class AuditBatcher;
    explicit Slot(AuditBatcher* b) : b_(b) {}
    void Release();
    AuditBatcher* b_ = nullptr;
  };

  // `metrics` may be null; otherwise it must outlive the batcher.
  AuditBatcher(std::shared_ptr<AuditSink> sink, AuditBatcherOptions opts, Metrics* metrics);
  ~AuditBatcher();

  bool reject_on_failure() const { return opts_.reject_on_failure; }
  // Room for one request's record; empty when the queue is full or (reject
  // mode) the sink has refused an entry retry_max_attempts times in a row.
  Slot Reserve();
  // Queues the record, consuming `slot` when given (it then always fits);
  // without a slot, a full queue drops it (queue_full).
  void Record(const AccessRecord& r, Slot* slot = nullptr);
  // Flushes what is pending (one more attempt per entry, no waiting) and
  // stops the thread. Idempotent.
  void Stop();

  // Observers, for the admin listener and tests.
  bool failing() const;           // the sink refused the current entry retry_max_attempts times
  std::size_t held() const;       // records queued, being delivered, or reserved
  std::uint64_t dropped() const;  // records dropped so far, every reason

 private:
  enum DropReason { kQueueFull, kLedgerUnavailable, kRefused, kShutdown, kDropReasons };
  void Run();
  // Queues the record; true when the flusher is to be woken. REQUIRES: mu_ held
  bool RecordLocked(const AccessRecord& r, Slot* slot);
  void Deliver(const Batch& batch);
  // Appends one entry (its JSON text) of `count` records, retrying as the
  // header says; gives their room (delivering_) back once they are settled.
  void Send(const std::string& entry, std::size_t count);
  void DropLocked(DropReason why, std::size_t count);  // REQUIRES: mu_ held
  void LogDropsLocked(bool force);                     // REQUIRES: mu_ held

  std::shared_ptr<AuditSink> sink_;
  AuditBatcherOptions opts_;
  Metrics* metrics_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Batch pending_;
  std::size_t delivering_ = 0;  // records taken by the flusher, not yet settled
  std::size_t reserved_ = 0;    // Slots outstanding
  bool failing_ = false;
  std::chrono::steady_clock::time_point first_;
  bool stop_ = false;
  // Drops not yet logged, by reason, and when the last log line was written.
  std::array<std::uint64_t, kDropReasons> unlogged_{};
  std::uint64_t dropped_total_ = 0;
  std::chrono::steady_clock::time_point last_drop_log_{};
  std::chrono::steady_clock::time_point last_retry_log_{};
  std::string entry_text_;  // the flusher's entry buffer, reused
  // The batch being delivered; it and pending_ trade buffers, so neither is
  // allocated again once both have grown (a window's records are tens of KB:
  // freeing and reallocating them made the heap shrink and fault back in).
  Batch delivering_batch_;
  std::thread thread_;
};

// The JSON access log: one line per request, written by spdlog on its own
// thread (an I/O thread only enqueues). `path` "-" = stdout.
class AccessLog {
 public:
  static std::unique_ptr<AccessLog> Open(const std::string& path);  // nullptr on failure (logged)
  ~AccessLog();
  void Write(const AccessRecord& r);

 private:
  AccessLog() = default;
  std::shared_ptr<spdlog::logger> logger_;
};

// One access record as the JSON object written to the log and the audit trail.
std::string AccessRecordJson(const AccessRecord& r);

}  // namespace rampart::gateway
