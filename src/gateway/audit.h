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
// Appends happen on the batcher's own thread, never on an I/O thread. A sink
// refusal (ledger down, back-pressure) is counted in the metrics and logged;
// the batch is not retried (the sink already buffers and retries).
//
// Thread-safety: Record() from any thread; Stop() once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
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
  std::size_t max_pending = 100000;       // records waiting; beyond, they are counted as lost
};

class AuditBatcher {
 public:
  // The fields of an AccessRecord the audit trail keeps (RecordObject): only
  // these are copied on the I/O thread.
  struct Entry {
    std::chrono::system_clock::time_point time;
    std::string request_id;
    std::string identity;
    std::string model;
    std::string route;
    int status = 0;
    bool denied = false;
    std::uint64_t prompt_tokens = 0;
    std::uint64_t completion_tokens = 0;
    std::uint64_t duration_us = 0;
    std::string prompt_digest;
  };

  AuditBatcher(std::shared_ptr<AuditSink> sink, AuditBatcherOptions opts, Metrics* metrics);
  ~AuditBatcher();
  void Record(const AccessRecord& r);
  // Flushes what is pending and stops the thread. Idempotent.
  void Stop();

 private:
  void Run();
  void Flush(std::vector<Entry> batch);

  std::shared_ptr<AuditSink> sink_;
  AuditBatcherOptions opts_;
  Metrics* metrics_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Entry> pending_;
  std::chrono::steady_clock::time_point first_;
  bool stop_ = false;
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
