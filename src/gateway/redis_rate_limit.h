// The RateLimiter shared through Redis so N gateway replicas enforce one
// limit: one EVALSHA of one Lua script per Admit and per Settle, with Redis
// server time inside the script so replica clocks do not matter.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/status.h"
#include "gateway/rate_limit.h"

namespace rampart::gateway {

struct RedisLimiterOptions {
  std::string url;  // redis://[user:password@]host:port[/db]
  std::string key_prefix = "rampart:rl:";
  std::chrono::milliseconds timeout{50};
  std::size_t connections = 4;
  bool fail_open = false;  // on Redis failure: false => Admit returns Unavailable
  // Concurrency slots expire after this, so a crashed replica cannot leak them forever.
  std::chrono::seconds slot_ttl{300};
};

Result<std::unique_ptr<RateLimiter>> MakeRedisRateLimiter(RedisLimiterOptions options);

}  // namespace rampart::gateway
