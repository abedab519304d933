// The verifier loop's core: polls enrolled nodes for evidence under a fresh
// nonce each time, verifies it (node_verify.h), keeps each node's state for
// readers (core/node_state.h), and records every result in the audit trail
// through core's AuditSink: `node.attested` when a node verified and matched
// its class, `node.drifted` otherwise (drift, refusal, or no evidence), with
// `changed` set when the node's health moved.
//
// Transport is injected (FetchEvidence): the HTTP agent client in
// production, evidence built in process in tests and benchmarks.
//
// Thread-safety: PollOnce runs on one thread at a time; Lookup may run
// concurrently with it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "attest/tpm/golden.h"
#include "attest/tpm/node_verify.h"
#include "core/audit_sink.h"
#include "core/crypto.h"
#include "core/node_state.h"

namespace rampart::attest::tpm {

struct EnrolledNode {
  std::string name;
  std::string node_class;
  crypto::PublicKey ak;
  std::string address;  // where the agent answers (transport-specific)
};

// Asks `node` for a quote over `nonce` and its logs.
using FetchEvidence = std::function<Result<NodeEvidence>(const EnrolledNode& node, ByteView nonce)>;

class NodeVerifier : public NodeStateReader {
 public:
  // `sink` may be null (no audit trail); if set it must outlive this object.
  NodeVerifier(NodePolicy policy, std::vector<EnrolledNode> nodes, FetchEvidence fetch,
               AuditSink* sink);

  struct PollResult {
    int attested = 0, failed = 0, changed = 0;
    int audit_failures = 0;  // events the sink refused (counted, never dropped silently)
  };
  PollResult PollOnce(std::chrono::system_clock::time_point now);

  std::optional<NodeState> Lookup(std::string_view name) const override;

  // The loop's state in the Prometheus text format, for the /metrics of the
  // process that runs it: per node, rampart_node_attested (1 or 0, by node
  // and class) and rampart_node_last_poll_timestamp_seconds; counters of poll
  // results by outcome (rampart_node_polls_total and
  // rampart_node_polls_{attested,drifted,refused,unreachable}_total) and of
  // audit events the sink refused. Drift reasons are free text and stay out
  // of labels: they are in the ledger and in `rampart node poll`.
  std::string MetricsText() const;

 private:
  NodeState Check(const EnrolledNode& node, std::chrono::system_clock::time_point now) const;

  NodePolicy policy_;
  std::vector<EnrolledNode> nodes_;
  FetchEvidence fetch_;
  AuditSink* sink_;
  mutable std::mutex mu_;
  std::map<std::string, NodeState, std::less<>> states_;  // guarded by mu_
  struct Counters {
    std::uint64_t polls = 0, attested = 0, drifted = 0, refused = 0, unreachable = 0;
    std::uint64_t audit_failures = 0;
  } counters_;  // guarded by mu_
};

}  // namespace rampart::attest::tpm
