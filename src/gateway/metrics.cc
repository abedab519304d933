#include "gateway/metrics.h"

#include <fmt/format.h>

namespace rampart::gateway {
namespace {

// Label values are escaped as the exposition format requires.
std::string Escape(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

template <typename Map, typename Key>
void Increment(Map& m, Key&& k) {
  auto it = m.find(k);
  if (it == m.end()) it = m.emplace(std::forward<Key>(k), 0).first;
  ++it->second;
}

// Finds or adds the histogram of `route`.
template <typename Map>
auto& ByRoute(Map& m, std::string_view route) {
  auto it = m.find(route);
  if (it == m.end()) it = m.emplace(std::string(route), typename Map::mapped_type{}).first;
  return it->second;
}

// One histogram family by route, in the exposition format.
template <typename Map, std::size_t N>
void RenderHistograms(std::string_view name, std::string_view help,
                      const std::array<double, N>& bounds, const Map& by_route, std::string* out) {
  *out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
  for (const auto& [route, h] : by_route) {
    std::uint64_t cum = 0;
    std::string r = Escape(route);
    for (std::size_t i = 0; i < N; ++i) {
      cum += h.buckets[i];
      *out += fmt::format("{}_bucket{{route=\"{}\",le=\"{}\"}} {}\n", name, r, bounds[i], cum);
    }
    *out += fmt::format("{}_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", name, r, h.count);
    *out += fmt::format("{}_sum{{route=\"{}\"}} {}\n", name, r, h.sum);
    *out += fmt::format("{}_count{{route=\"{}\"}} {}\n", name, r, h.count);
  }
}

}  // namespace

template <std::size_t N>
void Metrics::Histogram<N>::Observe(const std::array<double, N>& bounds, double secs) {
  std::size_t b = 0;
  while (b < N && secs > bounds[b]) ++b;
  if (b < N) ++buckets[b];
  ++count;
  sum += secs;
}

template <std::size_t N>
void Metrics::Histogram<N>::Add(const Histogram& h) {
  for (std::size_t i = 0; i < N; ++i) buckets[i] += h.buckets[i];
  count += h.count;
  sum += h.sum;
}

Metrics::Metrics(int shards) {
  for (int i = 0; i < std::max(1, shards); ++i) shards_.push_back(std::make_unique<Shard>());
}

void Metrics::RecordRequest(int s, std::string_view route, std::string_view model, int status,
                            std::chrono::microseconds latency,
                            std::optional<std::chrono::microseconds> own) {
  Shard& sh = shard(s);
  auto secs = [](std::chrono::microseconds d) { return static_cast<double>(d.count()) / 1e6; };
  std::lock_guard lock(sh.mu);
  // Found by views (the map's std::less<> compares them with its keys): the
  // label strings are built only for a new combination.
  auto it = sh.requests.find(std::make_tuple(route, model, status));
  if (it == sh.requests.end()) {
    it = sh.requests.emplace(std::make_tuple(std::string(route), std::string(model), status), 0)
             .first;
  }
  ++it->second;
  ByRoute(sh.latency, route).Observe(kBuckets, secs(latency));
  if (own) ByRoute(sh.own, route).Observe(kOwnBuckets, secs(*own));
}

void Metrics::RecordRejection(int s, std::string_view reason) {
  Shard& sh = shard(s);
  std::lock_guard lock(sh.mu);
  auto it = sh.rejections.find(reason);
  if (it == sh.rejections.end()) it = sh.rejections.emplace(std::string(reason), 0).first;
  ++it->second;
}

void Metrics::RecordUpstreamError(int s, std::string_view upstream, std::string_view kind) {
  Shard& sh = shard(s);
  std::lock_guard lock(sh.mu);
  Increment(sh.upstream_errors, std::make_pair(std::string(upstream), std::string(kind)));
}

void Metrics::RecordRateLimit(int s, std::string_view decision) {
  Shard& sh = shard(s);
  std::lock_guard lock(sh.mu);
  auto it = sh.rate_limit.find(decision);
  if (it == sh.rate_limit.end()) it = sh.rate_limit.emplace(std::string(decision), 0).first;
  ++it->second;
}

std::string Metrics::Render() const {
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests;
  std::map<std::string, Latency> latency;
  std::map<std::string, Own> own;
  std::map<std::string, std::uint64_t> rejections, rate_limit;
  std::map<std::pair<std::string, std::string>, std::uint64_t> upstream_errors;
  for (const auto& sh : shards_) {
    std::lock_guard lock(sh->mu);
    for (const auto& [k, v] : sh->requests) requests[k] += v;
    for (const auto& [k, h] : sh->latency) latency[k].Add(h);
    for (const auto& [k, h] : sh->own) own[k].Add(h);
    for (const auto& [k, v] : sh->rejections) rejections[k] += v;
    for (const auto& [k, v] : sh->rate_limit) rate_limit[k] += v;
    for (const auto& [k, v] : sh->upstream_errors) upstream_errors[k] += v;
  }
  std::string out;
  out.reserve(4096);
  out +=
      "# HELP rampart_gateway_requests_total Requests answered, by route, model and status.\n"
      "# TYPE rampart_gateway_requests_total counter\n";
  for (const auto& [k, v] : requests) {
    const auto& [route, model, status] = k;
    out += fmt::format(
        "rampart_gateway_requests_total{{route=\"{}\",model=\"{}\",status=\"{}\"}} {}\n",
        Escape(route), Escape(model), status, v);
  }
  RenderHistograms("rampart_gateway_request_duration_seconds",
                   "Time from the request head to the last response byte.", kBuckets, latency,
                   &out);
  RenderHistograms("rampart_gateway_own_duration_seconds",
                   "The gateway's own share of the request duration: the duration less the time "
                   "awaiting the upstream (from the request write to the last byte read).",
                   kOwnBuckets, own, &out);
  out +=
      "# HELP rampart_gateway_rejections_total Requests the gateway refused, by reason.\n"
      "# TYPE rampart_gateway_rejections_total counter\n";
  for (const auto& [k, v] : rejections) {
    out += fmt::format("rampart_gateway_rejections_total{{reason=\"{}\"}} {}\n", Escape(k), v);
  }
  out +=
      "# HELP rampart_gateway_upstream_errors_total Upstream failures, by upstream and kind.\n"
      "# TYPE rampart_gateway_upstream_errors_total counter\n";
  for (const auto& [k, v] : upstream_errors) {
    out += fmt::format("rampart_gateway_upstream_errors_total{{upstream=\"{}\",kind=\"{}\"}} {}\n",
                       Escape(k.first), Escape(k.second), v);
  }
  out +=
      "# HELP rampart_gateway_rate_limit_decisions_total Rate-limit decisions: allowed or the "
      "deny reason.\n"
      "# TYPE rampart_gateway_rate_limit_decisions_total counter\n";
  for (const auto& [k, v] : rate_limit) {
    out += fmt::format("rampart_gateway_rate_limit_decisions_total{{decision=\"{}\"}} {}\n",
                       Escape(k), v);
  }
  auto gauge = [&out](std::string_view name, std::string_view help, std::string_view type,
                      auto value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
  };
  gauge("rampart_gateway_open_connections", "Client connections open.", "gauge",
        open_connections.load());
  gauge("rampart_gateway_requests_in_flight", "Requests being served.", "gauge",
        requests_in_flight.load());
  gauge("rampart_gateway_audit_records_total", "Per-request audit records written.", "counter",
        audit_records.load());
  gauge("rampart_gateway_audit_batches_total", "access.summary entries sent to the ledger.",
        "counter", audit_batches.load());
  gauge("rampart_gateway_audit_errors_total", "Audit batches the sink refused.", "counter",
        audit_errors.load());
  gauge("rampart_gateway_audit_retries_total", "Audit batches sent again after a refusal.",
        "counter", audit_retries.load());
  gauge("rampart_gateway_audit_failing",
        "1 while the ledger refuses audit batches past the retry bound.", "gauge",
        audit_failing.load());
  out +=
      "# HELP rampart_gateway_audit_dropped_total Per-request audit records dropped, by "
      "reason.\n"
      "# TYPE rampart_gateway_audit_dropped_total counter\n";
  for (std::size_t i = 0; i < kAuditDropReasons.size(); ++i) {
    out += fmt::format("rampart_gateway_audit_dropped_total{{reason=\"{}\"}} {}\n",
                       kAuditDropReasons[i], audit_dropped[i].load());
  }
  gauge("rampart_gateway_reloads_total", "Successful configuration reloads.", "counter",
        reloads.load());
  gauge("rampart_gateway_reload_failures_total", "Failed configuration reloads.", "counter",
        reload_failures.load());
  return out;
}

}  // namespace rampart::gateway
