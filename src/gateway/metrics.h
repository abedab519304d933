// Gateway metrics in the Prometheus text exposition format (version 0.0.4),
// served at /metrics on the admin listener.
//
// Counters live in shards, one per I/O thread: a thread only writes its own
// shard, so the request path never contends with another request; a shard's
// mutex is taken by its thread and, briefly, by a scrape. Render() sums the
// shards.
//
// Label values are bounded by construction: routes are the configured route
// names (or "unmatched"), models are only recorded once authorized (otherwise
// "-"), statuses are HTTP codes, reasons are fixed codes. A client cannot
// grow the series set.
//
// Thread-safety: Record* from shard `s` must come from one thread at a time
// (its owner); Render() and the atomic gauges from any thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/http/stats.h"

namespace rampart::gateway {

// The server's gauges (open_connections, requests_in_flight) are the
// http::ServerStats this derives from: the core HTTP server updates them.
class Metrics : public http::ServerStats {
 public:
  explicit Metrics(int shards);

  int shards() const { return static_cast<int>(shards_.size()); }

  // One finished request (any status, including refusals). `own` is the
  // gateway's own share of `latency` (the latency less the time spent
  // awaiting the upstream), when it was measured.
  void RecordRequest(int shard, std::string_view route, std::string_view model, int status,
                     std::chrono::microseconds latency,
                     std::optional<std::chrono::microseconds> own = std::nullopt);
  // A request refused by the gateway itself: "unauthenticated", "forbidden",
  // "rate_limited", "smuggling", "header_too_large", ...
  void RecordRejection(int shard, std::string_view reason);
  // An upstream failure: kind is "connect", "timeout", "reset", "bad_response".
  void RecordUpstreamError(int shard, std::string_view upstream, std::string_view kind);
  // A rate-limit decision: "allowed", or the deny reason ("requests_per_second", ...).
  void RecordRateLimit(int shard, std::string_view decision);

  // Process-wide gauges and counters.
  std::atomic<std::uint64_t> audit_records{0};
  std::atomic<std::uint64_t> audit_batches{0};
  std::atomic<std::uint64_t> audit_errors{0};
  // Audit records dropped, by reason (index into kAuditDropReasons).
  static constexpr std::array<std::string_view, 4> kAuditDropReasons = {
      "queue_full", "ledger_unavailable", "refused", "shutdown"};
  std::array<std::atomic<std::uint64_t>, kAuditDropReasons.size()> audit_dropped{};
  std::atomic<std::uint64_t> audit_retries{0};
  std::atomic<std::uint64_t> audit_failing{0};  // 1 while reject mode refuses requests
  std::atomic<std::uint64_t> reloads{0};
  std::atomic<std::uint64_t> reload_failures{0};

  std::string Render() const;

  static constexpr std::array<double, 18> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                                      1.0,    2.5,     5.0,    10.0,  30.0,   60.0};
  // The gateway's own time is tens to hundreds of microseconds: finer bounds.
  static constexpr std::array<double, 12> kOwnBuckets = {0.00001, 0.000025, 0.00005, 0.0001,
                                                         0.0002,  0.0003,   0.0005,  0.001,
                                                         0.0025,  0.005,    0.01,    0.025};

 private:
  // A histogram over the upper bounds `bounds` (a static array: the families
  // differ only in their bounds).
  template <std::size_t N>
  struct Histogram {
    std::array<std::uint64_t, N> buckets{};  // non-cumulative
    std::uint64_t count = 0;
    double sum = 0;
    void Observe(const std::array<double, N>& bounds, double secs);
    void Add(const Histogram& h);
  };
  using Latency = Histogram<kBuckets.size()>;
  using Own = Histogram<kOwnBuckets.size()>;
  struct Shard {
    mutable std::mutex mu;
    std::map<std::tuple<std::string, std::string, int>, std::uint64_t, std::less<>> requests;
    std::map<std::string, Latency, std::less<>> latency;  // by route
    std::map<std::string, Own, std::less<>> own;          // by route
    std::map<std::string, std::uint64_t, std::less<>> rejections;
    std::map<std::pair<std::string, std::string>, std::uint64_t, std::less<>> upstream_errors;
    std::map<std::string, std::uint64_t, std::less<>> rate_limit;
  };
  Shard& shard(int s) { return *shards_[static_cast<std::size_t>(s) % shards_.size()]; }

  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace rampart::gateway
