#include "monitor/monitor_filter.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>

namespace rampart::monitor {

AuditEvent AlertEvent(const Alert& a, const FilterRequest* r) {
  AuditEvent e;
  e.type = "monitor.alert";
  e.actor = a.client;
  e.time = std::chrono::system_clock::time_point(std::chrono::microseconds(a.time_us));
  e.fields["detector"] = std::string(DetectorName(a.detector));
  e.fields["score"] = a.score;
  e.fields["threshold"] = a.threshold;
  e.fields["policy"] = std::string(PolicyName(a.policy));
  e.fields["window"] = a.window;
  e.fields["queries"] = a.queries;
  if (!a.network.empty()) e.fields["network"] = a.network;
  if (!a.evidence.empty()) e.fields["evidence"] = json::array{json::value(a.evidence)};
  if (r) {
    if (!r->request_id.empty()) e.fields["request_id"] = std::string(r->request_id);
    if (!r->route.empty()) e.fields["route"] = std::string(r->route);
    if (!r->model.empty()) e.fields["model"] = std::string(r->model);
  }
  return e;
}

MonitorFilter::MonitorFilter(MonitorConfig c, std::shared_ptr<AuditSink> audit)
    : monitor_(std::move(c)), audit_(std::move(audit)) {}

FilterDecision MonitorFilter::OnRequest(const FilterRequest& r) {
  Query q;
  q.identity = r.identity;
  q.remote = r.remote;
  q.protocol = r.protocol;
  q.route = r.route;
  q.model = r.model;
  q.body = r.body;
  q.json_body = r.json_body;
  q.time_us =
      std::chrono::duration_cast<std::chrono::microseconds>(r.time.time_since_epoch()).count();
  Verdict v = monitor_.Observe(q);
  FilterDecision d;
  for (const Alert& a : v.alerts) {
    char score[32];
    std::snprintf(score, sizeof score, "%.4g", a.score);
    // A source network's alert is told apart from the identity's.
    d.annotations.push_back((a.client.starts_with("net:") ? "monitor.net." : "monitor.") +
                            std::string(DetectorName(a.detector)) + "=" + score);
    spdlog::warn("monitor: {} alert for '{}': score {} (threshold {}) after {} queries; policy {}",
                 DetectorName(a.detector), a.client, score, a.threshold, a.queries,
                 PolicyName(a.policy));
    if (audit_) {
      Status s = audit_->Append(AlertEvent(a, &r));
      if (!s.ok()) {
        audit_failed_.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("monitor: cannot record an alert in the ledger: {}", s.message());
      }
    }
  }
  if (v.action == Policy::kThrottle) {
    d.action = FilterDecision::Action::kThrottle;
    d.http_status = 429;
    d.code = "monitor_throttled";
    d.message = "request pattern flagged by the monitor (" + std::string(DetectorName(v.because)) +
                "); retry later";
    d.retry_after = std::chrono::seconds(v.retry_after_s);
  } else if (v.action == Policy::kBlock) {
    d.action = FilterDecision::Action::kBlock;
    d.http_status = 403;
    d.code = "monitor_blocked";
    d.message =
        "request pattern blocked by the monitor (" + std::string(DetectorName(v.because)) + ")";
  } else if (v.action == Policy::kAlert) {
    d.action = FilterDecision::Action::kFlag;
  }
  if (v.action >= Policy::kThrottle)
    d.annotations.push_back("monitor.decision=" + std::string(PolicyName(v.action)));
  return d;
}

void MonitorFilter::OnComplete(const FilterRequest& r, const FilterOutcome& o) {
  Outcome x;
  x.status = o.status;
  x.denied = o.denied;
  x.prompt_tokens = o.prompt_tokens;
  x.completion_tokens = o.completion_tokens;
  monitor_.Complete(r.identity, r.remote, x);
}

void MonitorFilter::RenderMetrics(std::string* out) const {
  MonitorStats s = monitor_.stats();
  auto line = [&](const std::string& l) { out->append(l).push_back('\n'); };
  line("# HELP rampart_monitor_alerts_total Monitor alerts raised, by detector.");
  line("# TYPE rampart_monitor_alerts_total counter");
  for (std::size_t i = 0; i < kDetectorCount; ++i)
    line("rampart_monitor_alerts_total{detector=\"" +
         std::string(DetectorName(static_cast<Detector>(i))) + "\"} " +
         std::to_string(s.alerts[i]));
  line("# HELP rampart_monitor_decisions_total Requests the monitor refused, by action.");
  line("# TYPE rampart_monitor_decisions_total counter");
  line("rampart_monitor_decisions_total{action=\"throttle\"} " + std::to_string(s.throttled));
  line("rampart_monitor_decisions_total{action=\"block\"} " + std::to_string(s.blocked));
  line("# HELP rampart_monitor_clients Clients (identities and networks) tracked now.");
  line("# TYPE rampart_monitor_clients gauge");
  line("rampart_monitor_clients " + std::to_string(s.clients));
  line("# HELP rampart_monitor_client_capacity Clients the memory cap allows.");
  line("# TYPE rampart_monitor_client_capacity gauge");
  line("rampart_monitor_client_capacity " + std::to_string(s.capacity));
  line("# HELP rampart_monitor_bytes_per_client Memory per tracked client.");
  line("# TYPE rampart_monitor_bytes_per_client gauge");
  line("rampart_monitor_bytes_per_client " + std::to_string(Monitor::BytesPerClient()));
  line("# HELP rampart_monitor_evictions_total Clients evicted under the memory cap.");
  line("# TYPE rampart_monitor_evictions_total counter");
  line("rampart_monitor_evictions_total " + std::to_string(s.evictions));
  line("# HELP rampart_monitor_inputs_ignored_total Tensor bodies not sketched, by reason.");
  line("# TYPE rampart_monitor_inputs_ignored_total counter");
  for (std::size_t i = 1; i < kTensorIssueCount; ++i)
    line("rampart_monitor_inputs_ignored_total{reason=\"" +
         std::string(TensorIssueName(static_cast<TensorIssue>(i))) + "\"} " +
         std::to_string(s.ignored[i]));
  line("# HELP rampart_monitor_audit_failed_total Alerts the ledger did not accept.");
  line("# TYPE rampart_monitor_audit_failed_total counter");
  line("rampart_monitor_audit_failed_total " + std::to_string(audit_failed_.load()));
}

}  // namespace rampart::monitor
