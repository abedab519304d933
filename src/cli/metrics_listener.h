// A plain-HTTP listener that serves /metrics (Prometheus text) and /healthz
// for a process whose state is not on another listener: the node verifier
// loop of `rampart kbs serve`, `rampart serve` (attest.nodes.metrics) and
// `rampart node poll --metrics`. Kept off the broker's own listener, which
// TEEs reach: the fleet's attestation state is for operators.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"

namespace rampart::cli {

class MetricsListener {
 public:
  // `render` runs on the server's thread for each GET /metrics and must be
  // thread-safe. "HOST:PORT" (port 0: any free port); InvalidArgument for a
  // malformed address.
  static Result<std::unique_ptr<MetricsListener>> Start(const std::string& host_port,
                                                        std::function<std::string()> render);
  ~MetricsListener();
  std::uint16_t port() const;

  class Impl;

 private:
  explicit MetricsListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rampart::cli
