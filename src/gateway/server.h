// The gateway's data plane: an HTTP/1.1 reverse proxy on Boost.Asio/Beast
// in front of the estate's inference services.
//
// Threads: `config.threads` workers (0 = one per core), each with its own
// io_context, its own SO_REUSEPORT acceptor on the listen port, its own
// upstream connection pools and its own metrics shard, so a request never
// takes a lock shared with another worker's requests (the rate limiter and
// the audit batcher are the shared parts).
//
// Per request, in this order (docs/design/gateway.md):
//   read the head under header_read_timeout (slowloris), ParseRequestHead
//   (size limits, smuggling shapes: 400/413/431 and close) -> MatchRoute
//   (400/404/405, the upstream sees nothing) -> Authenticate (401) -> read the
//   body under body_read_timeout (413) -> model from the JSON body or the
//   path -> Authorize (403) -> filters' OnRequest (core/gateway_filter.h:
//   guards, monitor; their block or throttle answers) -> RateLimiter::Admit (429 with Retry-After
//   and RateLimit-*, 503 when the limiter cannot decide) -> forward to the service's upstream over
//   a pooled keep-alive connection (connect timeout
//   -> 504, refused/reset -> 502, no response head within response_timeout
//   -> 504, malformed response -> 502) -> stream the response to the client
//   as it arrives (chunked and Server-Sent Events pass through piece by
//   piece; through the filters' response filters when they ask for it)
//   while a UsageScanner reads the token usage -> Settle -> metrics, access
//   log, audit record, filters' OnComplete.
// Every error the gateway answers itself is {"error":{"code","message"}}
// with an X-Request-Id. Hop-by-hop fields and credentials (Authorization,
// x-api-key) never reach the upstream; X-Request-Id, X-Forwarded-For,
// X-Forwarded-Proto and X-Rampart-Identity are set by the gateway (client
// values are dropped).
//
// Reload swaps the Policy (routes, keys, access rules, limits, upstream URLs)
// atomically: requests in flight finish with the policy they started with,
// connections stay open. Listener, TLS, threads and protection limits are
// read once at Start.
//
// Thread-safety: Start/Reload/Stop from one control thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/audit_sink.h"
#include "core/gateway_filter.h"
#include "core/status.h"
#include "gateway/metrics.h"
#include "gateway/policy.h"
#include "gateway/rate_limit.h"

namespace rampart::gateway {

struct ServerDeps {
  std::shared_ptr<RateLimiter> limiter;   // required
  std::shared_ptr<AuditSink> audit;       // null: no audit trail
  std::string actor = "rampart-gateway";  // the audit entries' actor
  // Request and response filters (guards, monitor), run in this order
  // (core/gateway_filter.h); empty: none.
  std::vector<std::shared_ptr<GatewayFilter>> filters;
};

class GatewayServer {
 public:
  // Binds the listener (and the admin listener) with `policy->config()`.
  static Result<std::unique_ptr<GatewayServer>> Start(std::shared_ptr<const Policy> policy,
                                                      ServerDeps deps);
  ~GatewayServer();

  std::uint16_t port() const;
  std::uint16_t admin_port() const;  // 0 when disabled
  const Metrics& metrics() const;

  // New requests use `policy` from now on; connections stay open.
  void SetPolicy(std::shared_ptr<const Policy> policy);

  // Graceful stop: stop accepting, answer requests in flight (new requests on
  // open connections get Connection: close), wait up to `drain` for them,
  // then close everything. Idempotent.
  void Stop(std::chrono::milliseconds drain = std::chrono::seconds(10));

  class Impl;

 private:
  explicit GatewayServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rampart::gateway
