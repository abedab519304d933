// Service: a long-lived component that `rampart serve` runs (the ledger, the
// gateway). Startup is a list of named steps; each service starts, logs where
// it listens, and stops cleanly.
#pragma once

#include <string_view>

#include "core/status.h"

namespace rampart {

class Service {
 public:
  virtual ~Service() = default;
  virtual std::string_view name() const = 0;
  // Binds and starts serving; returns once ready (or with the reason it can't).
  virtual Status Start() = 0;
  // Re-reads configuration (SIGHUP) without dropping connections.
  virtual Status Reload() { return OkStatus(); }
  // Stops accepting, drains in-flight work, returns when stopped. Idempotent.
  virtual void Stop() = 0;
};

}  // namespace rampart
