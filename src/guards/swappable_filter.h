// A gateway filter whose inner filter is replaced while requests run: how a
// running gateway reloads its guards on SIGHUP (src/cli/gateway_cmd.cc
// builds the new GuardFilter first, so a bad config is refused before
// anything changes, then calls Set).
//
// Each call reads the current inner filter once; a request in flight keeps
// the filter it started with, and a response filter keeps the filter that
// made it alive until the response ends. A null inner filter passes
// everything through (guards turned off by the reload).
//
// Thread-safety: every method may be called from many threads at once,
// Set included.
#pragma once

#include <atomic>
#include <memory>

#include "core/gateway_filter.h"

namespace rampart::guards {

class SwappableFilter final : public GatewayFilter {
 public:
  explicit SwappableFilter(std::shared_ptr<GatewayFilter> inner) : inner_(std::move(inner)) {}

  // When both the current and the new filter are GuardFilters, the new one
  // carries the current one's counter totals first (GuardFilter::Carry), so
  // /metrics counters keep counting across a reload. Counts the old filter
  // still makes afterwards (responses in flight finishing under it) are not
  // carried.
  void Set(std::shared_ptr<GatewayFilter> inner);
  std::shared_ptr<GatewayFilter> Get() const { return inner_.load(); }

  std::string_view name() const override { return "guards"; }
  FilterDecision OnRequest(const FilterRequest& r) override;
  std::unique_ptr<ResponseFilter> OnResponse(const FilterRequest& r, int status,
                                             std::string_view content_type) override;
  void OnComplete(const FilterRequest& r, const FilterOutcome& o) override;
  void RenderMetrics(std::string* out) const override;

 private:
  std::atomic<std::shared_ptr<GatewayFilter>> inner_;
};

}  // namespace rampart::guards
