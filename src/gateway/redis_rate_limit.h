// The RateLimiter shared through Redis so N gateway replicas enforce one
// limit: one EVALSHA of one Lua script per Admit and per Settle, with Redis
// server time inside the script so replica clocks do not matter.
//
// Nothing blocks the gateway's I/O threads: each io_context that awaits
// Admit gets its own asynchronous connection (gateway/redis_connection.h),
// driven by that io_context, and every decision has a deadline.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "gateway/rate_limit.h"

struct redisReply;

namespace rampart::gateway {

struct RedisLimiterOptions {
  std::string url;  // redis://[user:password@]host:port[/db]
  std::string key_prefix = "rampart:rl:";
  // The deadline of one decision: connection, script and reply. Past it the
  // request is refused with Unavailable (or admitted when fail_open) and
  // whatever the script reserved, if it ran, is released.
  std::chrono::milliseconds timeout{50};
  // At most this many decisions wait for Redis per io_context (and as many
  // settlements are kept for retry); beyond it Admit fails at once.
  std::size_t max_pending = 1024;
  bool fail_open = false;  // on Redis failure: false => Admit returns Unavailable
  // Concurrency slots expire after this, so a crashed replica cannot leak them forever.
  std::chrono::seconds slot_ttl{300};
};

// Connects once (blocking; call it at startup, not on an I/O thread) to
// check the URL, credentials and database and to load the scripts. When
// Redis cannot be reached: Unavailable, unless fail_open (then the limiter
// admits everything until Redis answers). A malformed URL is InvalidArgument.
//
// Semantics match MakeLocalRateLimiter (GCRA per dimension, all or nothing
// across keys, token debt after an under-estimate), with these differences:
//  - Concurrency slots are ZSET members scored by their expiry (now +
//    slot_ttl, Redis time). A request that runs longer than slot_ttl loses
//    its slot, so concurrency may exceed max_concurrent by the number of
//    requests older than slot_ttl; a crashed replica's slots come back after
//    slot_ttl at most.
//  - A reservation that holds anything (a slot or reserved tokens) is also a
//    key <key_prefix>r:<id> ("held", expiring with the slots). Settle runs
//    only if it is still "held" and deletes it, so a settlement sent twice
//    (retried after a reconnect) applies once.
//  - A decision past its deadline is released (slots freed, the token
//    estimate refunded; the request counts stay spent) by the same script:
//    if the admit has not run yet, the release leaves "released" in its
//    place for slot_ttl and the admit, arriving late, reserves nothing.
//    Settlements and releases that cannot be sent are kept (up to
//    max_pending) and sent again once the connection is back.
//  - TryAdmit answers only for requests without limits; everything else is
//    awaited through Admit. Settle never blocks: it queues the settlement on
//    the connection that admitted the request, ahead of anything that
//    connection sends later.
//  - A fail-open admission (Decision::reason "fail_open") reserves nothing
//    and its Settle is a no-op.
//  - Keys are <key_prefix>b:<scope>:<name> (a hash of bucket states),
//    <key_prefix>c:<scope>:<name> (the slot ZSET) and <key_prefix>r:<id>.
//    One script touches the keys of all of a request's limits, so on Redis
//    Cluster put a hash tag in the prefix ("rampart:{rl}:"): every limit
//    then lives in one slot.
// Thread-safe. Each io_context that awaits Admit must be run by one thread
// (the gateway's workers are); its connection lives until that io_context is
// destroyed, which flushes pending settlements for up to `timeout`.
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

// The scripts and the commands the limiter sends, for tests and the bench.
std::string_view AdmitScript();
std::string_view SettleScript();
// Whether a reservation over `keys` holds anything to settle or release (a
// concurrency slot or reserved tokens); without, Settle sends nothing.
bool HoldsAnything(const std::vector<std::pair<LimitKey, LimitSpec>>& keys);
// EVALSHA of the admit script for reservation r (r.keys normalized).
std::vector<std::string> AdmitCommand(std::string_view key_prefix, const Reservation& r,
                                      std::chrono::seconds slot_ttl);
// EVALSHA of the settle script: release r's slots and charge actual_tokens
// instead of r.reserved_tokens. A `tombstone` > 0 (a release after a missed
// deadline) marks a reservation that was never admitted "released" for that
// long. The script returns the number of slots freed, or -1 when r held
// nothing (already settled, or not admitted).
std::vector<std::string> SettleCommand(std::string_view key_prefix, const Reservation& r,
                                       std::uint64_t actual_tokens,
                                       std::chrono::milliseconds tombstone);
// The Decision in the admit script's reply; on allow, r is the reservation.
Admission ParseAdmitReply(const redisReply* reply, Reservation r);
}  // namespace internal

}  // namespace rampart::gateway
