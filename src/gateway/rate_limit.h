// Rate limits for the gateway: token buckets per identity and per model for
// requests per second/minute, concurrent requests in flight, and LLM tokens
// per minute with reservation (reserve an estimate at admission, settle with
// the response's usage, refund or debit the difference).
//
// Admit checks every key atomically (all or nothing). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace rampart::gateway {

struct LimitSpec {  // a field of 0 = unlimited
  double requests_per_second = 0;
  std::uint32_t burst = 0;  // 0 => max(1, requests_per_second)
  double requests_per_minute = 0;
  std::uint32_t max_concurrent = 0;
  std::uint64_t tokens_per_minute = 0;
  bool empty() const {
    return requests_per_second == 0 && requests_per_minute == 0 && max_concurrent == 0 &&
           tokens_per_minute == 0;
  }
};

struct LimitKey {
  std::string scope;  // "identity" | "model"
  std::string name;
  bool operator==(const LimitKey&) const = default;
};

struct Decision {
  bool allowed = false;
  std::string
      reason;  // "requests_per_second", "requests_per_minute", "concurrency", "tokens_per_minute"
  std::chrono::milliseconds retry_after{0};
  // RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) for the tightest policy.
  std::uint64_t limit = 0;
  std::uint64_t remaining = 0;
  std::chrono::seconds reset{0};
  std::string policy;  // RateLimit-Policy value, e.g. "100;w=60"
};

// An admitted request's hold on its limits; settled exactly once.
struct Reservation {
  std::uint64_t id = 0;
  std::vector<std::pair<LimitKey, LimitSpec>> keys;
  std::uint64_t reserved_tokens = 0;
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // On allow the reservation holds one concurrency slot per key and the
  // reserved tokens. An error (not a deny) means the limiter could not decide.
  virtual Result<std::pair<Decision, Reservation>> Admit(
      const std::vector<std::pair<LimitKey, LimitSpec>>& keys, std::uint64_t estimated_tokens) = 0;
  // Releases concurrency and charges `actual_tokens` instead of the estimate.
  // Without usage from the upstream, pass r.reserved_tokens.
  virtual Status Settle(const Reservation& r, std::uint64_t actual_tokens) = 0;
};

std::unique_ptr<RateLimiter> MakeLocalRateLimiter(std::shared_ptr<const Clock> clock);

}  // namespace rampart::gateway
