#include "gateway/audit.h"

#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "core/clock.h"
#include "core/json.h"

namespace rampart::gateway {
namespace {

// The entry is written straight into its JSON text, members in canonical
// (RFC 8785) order, with no json tree per record: the ledger parses and
// canonicalises the text once per entry.
void AppendUint(std::uint64_t v, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// FormatRfc3339(t, 3) without a temporary string: "YYYY-MM-DDTHH:MM:SS.mmmZ".
void AppendTime(std::chrono::system_clock::time_point t, std::string& out) {
  using namespace std::chrono;
  auto ms = floor<milliseconds>(t);
  auto day = floor<days>(ms);
  year_month_day ymd{day};
  hh_mm_ss hms{ms - day};
  char buf[32];
  auto two = [](char* p, unsigned v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) {  // not in any record a clock makes; keep the general form
    out += FormatRfc3339(t, 3);
    return;
  }
  buf[0] = static_cast<char>('0' + y / 1000);
  buf[1] = static_cast<char>('0' + y / 100 % 10);
  buf[2] = static_cast<char>('0' + y / 10 % 10);
  buf[3] = static_cast<char>('0' + y % 10);
  buf[4] = '-';
  two(buf + 5, static_cast<unsigned>(ymd.month()));
  buf[7] = '-';
  two(buf + 8, static_cast<unsigned>(ymd.day()));
  buf[10] = 'T';
  two(buf + 11, static_cast<unsigned>(hms.hours().count()));
  buf[13] = ':';
  two(buf + 14, static_cast<unsigned>(hms.minutes().count()));
  buf[16] = ':';
  two(buf + 17, static_cast<unsigned>(hms.seconds().count()));
  buf[19] = '.';
  auto sub = static_cast<unsigned>(hms.subseconds().count());
  buf[20] = static_cast<char>('0' + sub / 100);
  buf[21] = static_cast<char>('0' + sub / 10 % 10);
  buf[22] = static_cast<char>('0' + sub % 10);
  buf[23] = 'Z';
  out.append(buf, 24);
}

void AppendQuoted(std::string_view s, std::string& out) { AppendJsonString(s, &out); }

void AppendTimeString(std::chrono::system_clock::time_point t, std::string& out) {
  out += '"';
  AppendTime(t, out);
  out += '"';
}

// One record, as RecordObject used to build it: {completion_tokens,
// duration_us, identity?, model?, prompt_digest?, prompt_tokens, request_id,
// route, status, time}.
using Entry = AuditBatcher::Entry;

void AppendRecord(const AuditBatcher::Batch& b, const Entry& r, std::string& out) {
  out += "{\"completion_tokens\":";
  AppendUint(r.completion_tokens, out);
  out += ",\"duration_us\":";
  AppendUint(r.duration_us, out);
  if (r.len[Entry::kIdentity] != 0) {
    out += ",\"identity\":";
    AppendQuoted(b.str(r, Entry::kIdentity), out);
  }
  if (r.len[Entry::kModel] != 0) {
    out += ",\"model\":";
    AppendQuoted(b.str(r, Entry::kModel), out);
  }
  if (r.len[Entry::kPromptDigest] != 0) {
    out += ",\"prompt_digest\":";
    AppendQuoted(b.str(r, Entry::kPromptDigest), out);
  }
  out += ",\"prompt_tokens\":";
  AppendUint(r.prompt_tokens, out);
  out += ",\"request_id\":";
  AppendQuoted(b.str(r, Entry::kRequestId), out);
  out += ",\"route\":";
  AppendQuoted(b.str(r, Entry::kRoute), out);
  out += ",\"status\":";
  if (r.status < 0) {
    out += '-';
    AppendUint(static_cast<std::uint64_t>(-static_cast<std::int64_t>(r.status)), out);
  } else {
    AppendUint(static_cast<std::uint64_t>(r.status), out);
  }
  out += ",\"time\":";
  AppendTimeString(r.time, out);
  out += '}';
}

// A record's share of an entry's canonical size, bounded from above.
std::size_t EstimateBytes(const Entry& r) {
  std::size_t n = 200;
  for (auto l : r.len) n += l;
  return n;
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
  if (opts_.max_pending == 0) opts_.max_pending = 1;
  if (opts_.retry_max_attempts < 1) opts_.retry_max_attempts = 1;
  thread_ = std::thread([this] { Run(); });
}

AuditBatcher::~AuditBatcher() { Stop(); }

AuditBatcher::Slot& AuditBatcher::Slot::operator=(Slot&& o) noexcept {
  if (this != &o) {
    Release();
    b_ = std::exchange(o.b_, nullptr);
  }
  return *this;
}

void AuditBatcher::Slot::Release() {
  if (b_ == nullptr) return;
  std::lock_guard lock(b_->mu_);
  --b_->reserved_;
  b_ = nullptr;
}

AuditBatcher::Slot AuditBatcher::Reserve() {
  std::lock_guard lock(mu_);
  if (stop_ || failing_) return Slot();
  if (pending_.size() + delivering_ + reserved_ >= opts_.max_pending) return Slot();
  ++reserved_;
  return Slot(this);
}

void AuditBatcher::Record(const AccessRecord& r, Slot* slot) {
  // The flusher is woken after the lock is released: woken under it, it ran
  // only to block on mu_ and be woken a second time.
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    wake = RecordLocked(r, slot);
  }
  if (wake) cv_.notify_one();
}

bool AuditBatcher::RecordLocked(const AccessRecord& r, Slot* slot) {
  bool reserved = slot != nullptr && slot->b_ == this;
  if (reserved) {
    // The room is now the record's: the Slot must not give it back.
    slot->b_ = nullptr;
    --reserved_;
  }
  if (stop_) {
    DropLocked(kShutdown, 1);
    return false;
  }
  if (!reserved && pending_.size() + delivering_ + reserved_ >= opts_.max_pending) {
    DropLocked(kQueueFull, 1);
    return false;
  }
  bool was_empty = pending_.empty();
  if (was_empty) first_ = std::chrono::steady_clock::now();
  if (pending_.entries.capacity() == 0) {
    pending_.entries.reserve(std::min(opts_.batch_size, opts_.max_pending));
  }
  Entry& e = pending_.entries.emplace_back();
  e.time = r.time;
  e.offset = static_cast<std::uint32_t>(pending_.bytes.size());
  std::size_t k = 0;
  for (const std::string* f : {&r.request_id, &r.identity, &r.model, &r.route, &r.prompt_digest}) {
    e.len[k++] = static_cast<std::uint32_t>(f->size());
    pending_.bytes += *f;
  }
  e.status = r.status;
  e.denied = r.denied;
  e.prompt_tokens = r.prompt_tokens;
  e.completion_tokens = r.completion_tokens;
  e.duration_us = r.duration_us;
  // Wake the flusher when a window opens (it then sleeps until the window
  // ends) and when the batch is full; not again for each record beyond (the
  // flusher, busy delivering, finds the batch full when it next looks).
  return was_empty || pending_.size() == opts_.batch_size;
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

bool AuditBatcher::failing() const {
  std::lock_guard lock(mu_);
  return failing_;
}

std::size_t AuditBatcher::held() const {
  std::lock_guard lock(mu_);
  return pending_.size() + delivering_ + reserved_;
}

std::uint64_t AuditBatcher::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_total_;
}

void AuditBatcher::DropLocked(DropReason why, std::size_t count) {
  if (count == 0) return;
  bool first = std::all_of(unlogged_.begin(), unlogged_.end(), [](auto n) { return n == 0; });
  unlogged_[why] += count;
  dropped_total_ += count;
  if (metrics_ != nullptr) metrics_->audit_dropped[why] += count;
  // The flusher writes the log line (never an I/O thread); wake it if idle.
  if (first) cv_.notify_one();
}

void AuditBatcher::LogDropsLocked(bool force) {
  std::uint64_t total = 0;
  for (auto n : unlogged_) total += n;
  if (total == 0) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && last_drop_log_ != std::chrono::steady_clock::time_point{} &&
      now - last_drop_log_ < opts_.drop_log_interval)
    return;
  std::string why;
  for (std::size_t i = 0; i < unlogged_.size(); ++i) {
    if (unlogged_[i] == 0) continue;
    if (!why.empty()) why += ", ";
    why += fmt::format("{} {}", unlogged_[i], Metrics::kAuditDropReasons[i]);
  }
  spdlog::error("gateway audit: {} access records dropped, not written to the ledger ({})", total,
                why);
  unlogged_.fill(0);
  last_drop_log_ = now;
}

void AuditBatcher::Run() {
  BecomeAuditThread("audit-batcher");
  std::unique_lock lock(mu_);
  for (;;) {
    LogDropsLocked(false);
    if (pending_.empty()) {
      if (stop_) break;
      bool unlogged = std::any_of(unlogged_.begin(), unlogged_.end(), [](auto n) { return n > 0; });
      if (unlogged) {
        cv_.wait_until(lock, last_drop_log_ + opts_.drop_log_interval,
                       [&] { return stop_ || !pending_.empty(); });
      } else {
        cv_.wait(lock, [&] {
          return stop_ || !pending_.empty() ||
                 std::any_of(unlogged_.begin(), unlogged_.end(), [](auto n) { return n > 0; });
        });
      }
      continue;
    }
    // The batch is due when full, when its window has passed, or at stop.
    cv_.wait_until(lock, first_ + opts_.window,
                   [&] { return stop_ || pending_.size() >= opts_.batch_size; });
    Batch& batch = delivering_batch_;
    batch.swap(pending_);  // pending_ continues in the last batch's buffer
    delivering_ = batch.size();
    lock.unlock();
    Deliver(batch);
    batch.clear();  // keeps the capacity, unless a backlog made it large
    if (batch.entries.capacity() > 4 * opts_.batch_size) {
      batch.entries.shrink_to_fit();
      batch.bytes.shrink_to_fit();
    }
    lock.lock();
    delivering_ = 0;
  }
  LogDropsLocked(true);
}

void AuditBatcher::Deliver(const Batch& batch) {
  std::string& text = entry_text_;
  std::vector<std::string_view> principals, models;
  // Adds v unless it repeats the last one added (most records of a window
  // share their identity and model: the sort below then sees a handful).
  auto add = [](std::vector<std::string_view>& list, std::string_view v) {
    if (!v.empty() && (list.empty() || list.back() != v)) list.push_back(v);
  };
  std::size_t i = 0;
  while (i < batch.size()) {
    // First the records this entry takes and what its header says of them,
    // then the text in one pass: the records are written in place, after
    // the header (members in canonical order), not copied there.
    principals.clear();
    models.clear();
    std::uint64_t denied = 0;
    const std::size_t first = i;
    auto start = batch.entries[i].time, end = batch.entries[i].time;
    std::size_t bytes = 512;
    std::size_t n = 0;
    for (; i < batch.size() && n < opts_.batch_size; ++i, ++n) {
      const Entry& r = batch.entries[i];
      std::string_view identity = batch.str(r, Entry::kIdentity);
      std::string_view model = batch.str(r, Entry::kModel);
      std::size_t b = EstimateBytes(r);
      if (n > 0 && bytes + b > opts_.max_entry_bytes) break;
      bytes += b + identity.size() + model.size();  // principals/models lists
      add(principals, identity);
      add(models, model);
      if (r.denied) ++denied;
      start = std::min(start, r.time);
      end = std::max(end, r.time + std::chrono::microseconds(r.duration_us));
    }
    // Sorted, without repeats (byte order: the order of std::set<std::string>).
    for (auto* v : {&principals, &models}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    auto list = [&](const std::vector<std::string_view>& v) {
      text += '[';
      for (std::size_t k = 0; k < v.size(); ++k) {
        if (k > 0) text += ',';
        AppendQuoted(v[k], text);
      }
      text += ']';
    };
    text.clear();
    text.reserve(bytes + 512);
    text += "{\"actor\":";
    AppendQuoted(opts_.actor, text);
    text += ",\"denied\":";
    AppendUint(denied, text);
    if (!opts_.endpoint.empty()) {
      text += ",\"endpoint\":";
      AppendQuoted(opts_.endpoint, text);
    }
    text += ",\"models\":";
    list(models);
    text += ",\"principals\":";
    list(principals);
    text += ",\"records\":[";
    for (std::size_t k = first; k < i; ++k) {
      if (k > first) text += ',';
      AppendRecord(batch, batch.entries[k], text);
    }
    text += "],\"requests\":";
    AppendUint(n, text);
    text += ",\"time\":";
    AppendTimeString(std::chrono::system_clock::now(), text);
    text += ",\"type\":\"access.summary\",\"window_end\":";
    AppendTimeString(end, text);
    text += ",\"window_start\":";
    AppendTimeString(start, text);
    text += '}';
    Send(text, n);  // settles the n records' room under the lock
  }
}

void AuditBatcher::Send(const std::string& entry, std::size_t count) {
  std::chrono::milliseconds delay = std::min(opts_.retry_initial_delay, opts_.retry_max_delay);
  for (int attempt = 1;; ++attempt) {
    Status s = sink_->AppendJson(entry);
    if (s.ok()) {
      if (metrics_ != nullptr) {
        metrics_->audit_records += count;
        metrics_->audit_batches += 1;
      }
      std::lock_guard lock(mu_);
      // The room is given back with the same lock that ends the failure:
      // a request admitted as "serving again" must find room for its record.
      delivering_ -= count;
      if (failing_) {
        failing_ = false;
        if (metrics_ != nullptr) metrics_->audit_failing = 0;
        spdlog::info("gateway audit: the ledger accepts access records again; serving");
      }
      return;
    }
    if (metrics_ != nullptr) ++metrics_->audit_errors;
    std::unique_lock lock(mu_);
    if (s.code() == StatusCode::kInvalidArgument) {
      // The entry itself is wrong: no retry will change the answer.
      spdlog::error("gateway audit: the ledger refused an access.summary entry: {}", s.message());
      DropLocked(kRefused, count);
      delivering_ -= count;
      return;
    }
    if (stop_) {
      DropLocked(kShutdown, count);
      delivering_ -= count;
      return;
    }
    if (attempt >= opts_.retry_max_attempts) {
      if (!opts_.reject_on_failure) {
        DropLocked(kLedgerUnavailable, count);
        delivering_ -= count;
        return;
      }
      if (!failing_) {
        failing_ = true;
        if (metrics_ != nullptr) metrics_->audit_failing = 1;
        spdlog::error(
            "gateway audit: the ledger refused an entry {} times ({}); refusing requests (503) "
            "until it accepts again",
            attempt, s.message());
      }
    } else {
      auto now = std::chrono::steady_clock::now();
      if (last_retry_log_ == std::chrono::steady_clock::time_point{} ||
          now - last_retry_log_ >= opts_.drop_log_interval) {
        last_retry_log_ = now;
        spdlog::warn("gateway audit: the ledger refused {} access records ({}); retrying", count,
                     s.message());
      }
    }
    LogDropsLocked(false);
    cv_.wait_for(lock, delay, [&] { return stop_; });
    if (metrics_ != nullptr) ++metrics_->audit_retries;
    delay = std::min(delay * 2, opts_.retry_max_delay);
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
