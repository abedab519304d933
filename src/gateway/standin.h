// The Rampart stand-in upstream: an OpenAI-compatible HTTP server that is NOT
// a model. It exists so that a newcomer's `make run` (and the gateway's tests
// and benchmark) have something real to proxy to when no model server is
// configured. Every answer says what it is ("rampart stand-in upstream — not
// a model") and is computed from the request alone:
//
//   GET  /v1/models               the configured model names
//   POST /v1/chat/completions     a fixed sentence echoing the prompt's size;
//                                 "stream": true gives Server-Sent Events, one
//                                 word per event `token_delay` apart, usage in
//                                 the final chunk, then "data: [DONE]"
//   POST /v1/completions          the same, completions-shaped
//   POST /v1/embeddings           a deterministic 8-dimensional vector per input
//   POST /v2/models/{m}/infer     echoes the inputs' names (KServe v2 shape)
//   GET  /v2/health/ready|live    200
//   GET  /__standin/stats         {"requests": N, "paths": {...}} (requests seen,
//                                 this endpoint excluded) — tests use it to
//                                 prove a refused request never arrived
//   GET  /__standin/last          the last request's method, target, headers
//
// `rampart serve` starts one in-process only when the gateway config says
// `standin: true` (docs/formats/gateway-config.md); `rampart gateway standin
// --port P` runs one alone.
//
// Thread-safety: Start/Stop from one thread; serves on its own threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace rampart::gateway {

inline constexpr std::string_view kStandinBanner = "rampart stand-in upstream — not a model";

struct StandinOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = any free port
  int threads = 1;
  std::vector<std::string> models = {"standin-chat", "standin-embed"};
  std::chrono::milliseconds token_delay{20};  // between streamed events
  std::size_t max_body_bytes = 8 * 1024 * 1024;
};

class StandinServer {
 public:
  static Result<std::unique_ptr<StandinServer>> Start(StandinOptions opts);
  ~StandinServer();
  std::uint16_t port() const;
  std::uint64_t requests() const;
  void Stop();  // idempotent

  class Impl;

 private:
  explicit StandinServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rampart::gateway
