// The monitor as a gateway filter (core/gateway_filter.h), built by the CLI
// from `gateway.monitor` and handed to the gateway in ServerDeps::filters.
//
//   OnRequest   feeds the request to the Monitor; a new alert becomes a
//               `monitor.alert` ledger entry (through AuditSink) and an
//               annotation; a client under a throttle or block policy is
//               answered 429 `monitor_throttled` (Retry-After) or 403
//               `monitor_blocked`.
//   OnComplete  status and token counts into the client's features.
//   RenderMetrics  rampart_monitor_* series.
//
// Thread-safety: all methods may be called from many threads at once.
#pragma once

#include <memory>
#include <string>

#include "core/audit_sink.h"
#include "core/gateway_filter.h"
#include "monitor/monitor.h"

namespace rampart::monitor {

class MonitorFilter final : public GatewayFilter {
 public:
  // `audit` (may be null) receives a `monitor.alert` entry per alert.
  MonitorFilter(MonitorConfig c, std::shared_ptr<AuditSink> audit);

  std::string_view name() const override { return "monitor"; }
  FilterDecision OnRequest(const FilterRequest& r) override;
  void OnComplete(const FilterRequest& r, const FilterOutcome& o) override;
  void RenderMetrics(std::string* out) const override;

  const Monitor& monitor() const { return monitor_; }

 private:
  Monitor monitor_;
  std::shared_ptr<AuditSink> audit_;
  std::atomic<std::uint64_t> audit_failed_{0};
};

// The ledger event of an alert (docs/formats/ledger-entry.md `monitor.alert`).
AuditEvent AlertEvent(const Alert& a, const FilterRequest* r);

}  // namespace rampart::monitor
