// The RateLimiter shared through Redis so N gateway replicas enforce one
// limit: one EVALSHA of one Lua script per Admit and per Settle, with Redis
// server time inside the script so replica clocks do not matter.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

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

// Connects once to check the URL, credentials and database. When Redis
// cannot be reached: Unavailable, unless fail_open (then the limiter admits
// everything until Redis answers). A malformed URL is InvalidArgument.
//
// Semantics match MakeLocalRateLimiter (GCRA per dimension, all or nothing
// across keys, token debt after an under-estimate), with these differences:
//  - Concurrency slots are ZSET members scored by their expiry (now +
//    slot_ttl, Redis time). A request that runs longer than slot_ttl loses
//    its slot, so concurrency may exceed max_concurrent by the number of
//    requests older than slot_ttl; a crashed replica's slots come back after
//    slot_ttl at most.
//  - A fail-open admission (Decision::reason "fail_open") reserves nothing
//    and its Settle is a no-op.
//  - Keys are <key_prefix>b:<scope>:<name> (a hash of bucket states) and
//    <key_prefix>c:<scope>:<name> (the slot ZSET). One script touches the
//    keys of all of a request's limits, so on Redis Cluster put a hash tag in
//    the prefix ("rampart:{rl}:"): every limit then lives in one slot.
// Thread-safe; at most `connections` requests talk to Redis at once and a
// request waits at most `timeout` for a connection and again for the reply.
Result<std::unique_ptr<RateLimiter>> MakeRedisRateLimiter(RedisLimiterOptions options);

namespace internal {
struct RedisUrl {
  std::string host;
  int port = 6379;
  std::string user;      // empty: AUTH with the password only
  std::string password;  // empty: no AUTH
  int db = 0;
};
// redis://[[user]:password@]host[:port][/db]; percent-escapes in the
// credentials are decoded; IPv6 hosts in brackets. rediss:// is refused.
Result<RedisUrl> ParseRedisUrl(std::string_view url);
}  // namespace internal

}  // namespace rampart::gateway
