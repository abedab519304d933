// The node agent's HTTP surface and its client (docs/formats/tpm-evidence.md,
// "Agent API"):
//
//   GET /v1/quote?nonce=<hex, 1-64 bytes>
//   200 {"quote": b64, "signature": b64, "event_log": b64, "ima": b64?}
//
// The agent runs on the node; the verifier (NodeVerifier with
// FetchEvidenceHttp) asks it for a quote under a nonce it chose. Nothing the
// agent says is trusted: the verifier checks it all.
//
// Thread-safety: the handler may serve concurrently; the provider must be
// thread-safe (the CLI's serialises TPM access).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "attest/tpm/node_verify.h"
#include "core/http/server.h"

namespace rampart::attest::tpm {

using QuoteProvider = std::function<Result<NodeEvidence>(ByteView nonce)>;

class AgentHandler : public http::Handler {
 public:
  explicit AgentHandler(QuoteProvider provider) : provider_(std::move(provider)) {}
  http::asio::awaitable<void> Handle(http::Exchange& x) override;

 private:
  QuoteProvider provider_;
};

std::string EvidenceToJson(const NodeEvidence& ev);
Result<NodeEvidence> EvidenceFromJson(std::string_view json);

// Fetches evidence from an agent at "host:port" over plain HTTP/1.1, within
// `timeout` and a 64 MiB response limit.
Result<NodeEvidence> FetchEvidenceHttp(const std::string& address, ByteView nonce,
                                       std::chrono::milliseconds timeout);

}  // namespace rampart::attest::tpm
