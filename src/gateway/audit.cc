#include "gateway/audit.h"

#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <set>

#include "core/clock.h"
#include "core/json.h"

namespace rampart::gateway {
namespace {

json::object RecordObject(const AuditBatcher::Entry& r) {
  json::object o;
  o["time"] = FormatRfc3339(r.time, 3);
  o["request_id"] = r.request_id;
  if (!r.identity.empty()) o["identity"] = r.identity;
  if (!r.model.empty()) o["model"] = r.model;
  o["route"] = r.route;
  o["status"] = r.status;
  o["prompt_tokens"] = r.prompt_tokens;
  o["completion_tokens"] = r.completion_tokens;
  o["duration_us"] = r.duration_us;
  if (!r.prompt_digest.empty()) o["prompt_digest"] = r.prompt_digest;
  return o;
}

// A record's share of an entry's canonical size, bounded from above.
std::size_t EstimateBytes(const AuditBatcher::Entry& r) {
  return 200 + r.request_id.size() + r.identity.size() + r.model.size() + r.route.size() +
         r.prompt_digest.size();
}

}  // namespace

std::string AccessRecordJson(const AccessRecord& r) {
  json::object o;
  o["ts"] = FormatRfc3339(r.time, 3);
  o["request_id"] = r.request_id;
  o["remote"] = r.remote;
  o["method"] = r.method;
  o["path"] = r.path;
  o["route"] = r.route;
  o["identity"] = r.identity;
  o["model"] = r.model;
  o["status"] = r.status;
  if (!r.error_code.empty()) o["error"] = r.error_code;
  o["bytes_in"] = r.bytes_in;
  o["bytes_out"] = r.bytes_out;
  o["prompt_tokens"] = r.prompt_tokens;
  o["completion_tokens"] = r.completion_tokens;
  o["duration_us"] = r.duration_us;
  if (!r.filter_notes.empty()) o["filters"] = r.filter_notes;
  return ToJson(o);
}

AuditBatcher::AuditBatcher(std::shared_ptr<AuditSink> sink, AuditBatcherOptions opts,
                           Metrics* metrics)
    : sink_(std::move(sink)), opts_(std::move(opts)), metrics_(metrics) {
  if (opts_.batch_size == 0) opts_.batch_size = 1;
  thread_ = std::thread([this] { Run(); });
}

AuditBatcher::~AuditBatcher() { Stop(); }

void AuditBatcher::Record(const AccessRecord& r) {
  std::lock_guard lock(mu_);
  if (stop_) return;
  if (pending_.size() >= opts_.max_pending) {
    if (metrics_ != nullptr) ++metrics_->audit_errors;
    return;
  }
  bool was_empty = pending_.empty();
  if (was_empty) first_ = std::chrono::steady_clock::now();
  if (pending_.capacity() == 0) pending_.reserve(opts_.batch_size);
  pending_.push_back(Entry{r.time, r.request_id, r.identity, r.model, r.route, r.status, r.denied,
                           r.prompt_tokens, r.completion_tokens, r.duration_us, r.prompt_digest});
  // Wake the flusher when a window opens (it then sleeps until the window
  // ends) and when the batch is full.
  if (was_empty || pending_.size() >= opts_.batch_size) cv_.notify_one();
}

void AuditBatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void AuditBatcher::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, nothing left
    // The batch is due when full, when its window has passed, or at stop.
    cv_.wait_until(lock, first_ + opts_.window,
                   [&] { return stop_ || pending_.size() >= opts_.batch_size; });
    std::vector<Entry> batch;
    batch.swap(pending_);
    lock.unlock();
    Flush(std::move(batch));
    lock.lock();
  }
}

void AuditBatcher::Flush(std::vector<Entry> batch) {
  std::size_t i = 0;
  while (i < batch.size()) {
    AuditEvent ev;
    ev.type = "access.summary";
    ev.actor = opts_.actor;
    ev.time = std::chrono::system_clock::now();
    json::array records;
    std::set<std::string> principals, models;
    std::uint64_t denied = 0;
    auto start = batch[i].time, end = batch[i].time;
    std::size_t bytes = 512;
    std::size_t n = 0;
    for (; i < batch.size() && n < opts_.batch_size; ++i, ++n) {
      const Entry& r = batch[i];
      std::size_t b = EstimateBytes(r);
      if (n > 0 && bytes + b > opts_.max_entry_bytes) break;
      bytes += b + r.identity.size() + r.model.size();  // principals/models lists
      records.push_back(RecordObject(r));
      if (!r.identity.empty()) principals.insert(r.identity);
      if (!r.model.empty()) models.insert(r.model);
      if (r.denied) ++denied;
      start = std::min(start, r.time);
      end = std::max(end, r.time + std::chrono::microseconds(r.duration_us));
    }
    ev.fields["window_start"] = FormatRfc3339(start, 3);
    ev.fields["window_end"] = FormatRfc3339(end, 3);
    ev.fields["requests"] = records.size();
    ev.fields["denied"] = denied;
    json::array p, m;
    for (const auto& s : principals) p.emplace_back(s);
    for (const auto& s : models) m.emplace_back(s);
    ev.fields["principals"] = std::move(p);
    ev.fields["models"] = std::move(m);
    if (!opts_.endpoint.empty()) ev.fields["endpoint"] = opts_.endpoint;
    std::size_t count = records.size();
    ev.fields["records"] = std::move(records);
    Status s = sink_->Append(std::move(ev));
    if (!s.ok()) {
      if (metrics_ != nullptr) metrics_->audit_errors += 1;
      spdlog::error("gateway audit: {} access records not written: {}", count, s.message());
    } else if (metrics_ != nullptr) {
      metrics_->audit_records += count;
      metrics_->audit_batches += 1;
    }
  }
}

std::unique_ptr<AccessLog> AccessLog::Open(const std::string& path) {
  auto log = std::unique_ptr<AccessLog>(new AccessLog());
  try {
    // A dedicated queue and thread: a slow disk delays log lines, never requests
    // (until the queue is full, then the I/O thread waits: lines are not dropped).
    static std::shared_ptr<spdlog::details::thread_pool> pool =
        std::make_shared<spdlog::details::thread_pool>(32768, 1);
    spdlog::sink_ptr sink;
    if (path == "-") {
      sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
    }
    log->logger_ = std::make_shared<spdlog::async_logger>("gateway.access", sink, pool,
                                                          spdlog::async_overflow_policy::block);
    log->logger_->set_pattern("%v");
    log->logger_->set_level(spdlog::level::info);
    log->logger_->flush_on(spdlog::level::info);
  } catch (const std::exception& e) {
    spdlog::error("gateway: cannot open access log {}: {}", path, e.what());
    return nullptr;
  }
  return log;
}

AccessLog::~AccessLog() {
  if (logger_) logger_->flush();
}

void AccessLog::Write(const AccessRecord& r) { logger_->info(AccessRecordJson(r)); }

}  // namespace rampart::gateway
