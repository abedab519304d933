// Gauges of an HTTP server (core/http/server.h) that a service may expose;
// the gateway's Metrics is one and renders them in /metrics.
#pragma once

#include <atomic>
#include <cstdint>

namespace rampart::http {

struct ServerStats {
  std::atomic<std::int64_t> open_connections{0};
  std::atomic<std::int64_t> requests_in_flight{0};
};

}  // namespace rampart::http
