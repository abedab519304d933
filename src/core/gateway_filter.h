// Filters the gateway runs on every request and response: the guards
// (prompt injection, canaries, output redaction) and the monitor (anomalous
// queries, model extraction). The interface lives in core so that the
// gateway never includes another pillar; the CLI builds the filters from the
// estate and hands them to the gateway (ServerDeps::filters), as it hands it
// the ledger through AuditSink.
//
// Order per request (gateway/server.h): authenticate -> read body ->
// authorize -> every filter's OnRequest, in order (the first Block or
// Throttle answers the request; no upstream is contacted) -> rate limits ->
// upstream -> every filter's OnResponse (a filter that returns a stream
// filter sees the response body, piece by piece, and may rewrite it) ->
// OnComplete (always, once, also for refused requests).
//
// Filters run on the gateway's I/O threads: OnRequest and the stream
// filter's Feed must be fast (microseconds) and must not block. They are
// called concurrently from several threads (a stream filter belongs to one
// request and is called from one thread at a time).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.h"

namespace rampart {

// One request as the gateway sees it. Views are valid for the call only.
struct FilterRequest {
  std::string_view request_id;
  std::string_view identity;  // authenticated estate identity
  std::span<const std::string> roles;
  std::string_view remote;    // client IP address
  std::string_view route;     // route name (gateway/routes.h), e.g. "chat", "infer"
  std::string_view protocol;  // "openai" | "kserve-v2" | "grpc"
  std::string_view model;
  std::string_view method;
  std::string_view path;
  std::string_view body;          // the request body as received
  const json::object* json_body;  // the parsed body when the route has a JSON one, else null
  std::chrono::system_clock::time_point time;
};

struct FilterDecision {
  enum class Action { kAllow, kFlag, kBlock, kThrottle };
  Action action = Action::kAllow;
  // kBlock / kThrottle: the answer (e.g. 403 "prompt_injection", 429 "throttled").
  int http_status = 0;
  std::string code;
  std::string message;                       // safe to return to the client
  std::chrono::milliseconds retry_after{0};  // kThrottle
  // Non-empty: forward this body instead of the client's (e.g. a canary
  // inserted into the system prompt). Must stay valid JSON for JSON routes.
  std::string replacement_body;
  // Short facts for the access log and metrics ("guard.score=0.97",
  // "rule=jailbreak.dan"): never prompt text.
  std::vector<std::string> annotations;
};

// The response body of one request, as it streams to the client.
class ResponseFilter {
 public:
  virtual ~ResponseFilter() = default;
  // `in` is the next piece of the body; append what the client should get
  // to *out (it may hold back a bounded tail to match across pieces).
  // Returns false to end the response now: *out then holds the final bytes
  // (e.g. a terminal SSE event), and nothing more is read from the upstream.
  virtual bool Feed(std::string_view in, std::string* out) = 0;
  // The body ended: append what was held back.
  virtual void Finish(std::string* out) = 0;
  // Why Feed ended the response ("" if it did not), for the access log.
  virtual std::string_view blocked_reason() const { return {}; }
};

// What the gateway learnt by the end of a request.
struct FilterOutcome {
  int status = 0;
  bool denied = false;  // refused by the gateway (never forwarded)
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
  std::uint64_t bytes_out = 0;
  std::chrono::microseconds duration{0};
};

class GatewayFilter {
 public:
  virtual ~GatewayFilter() = default;
  virtual std::string_view name() const = 0;

  virtual FilterDecision OnRequest(const FilterRequest& r) = 0;
  // A stream filter for this response, or null to pass it through untouched.
  virtual std::unique_ptr<ResponseFilter> OnResponse(const FilterRequest& r, int status,
                                                     std::string_view content_type) {
    return nullptr;
  }
  virtual void OnComplete(const FilterRequest& r, const FilterOutcome& o) {}
  // Appends the filter's Prometheus series to the gateway's /metrics.
  virtual void RenderMetrics(std::string* out) const {}
};

}  // namespace rampart
