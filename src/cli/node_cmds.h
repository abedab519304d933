// The node verifier loop as other commands run it (the key broker gates
// releases on node state): polls every enrolled node's agent every interval
// on its own thread and records node.attested / node.drifted through the
// audit sink (node_cmd.cc, docs/formats/node-policy.md).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "core/audit_sink.h"
#include "core/node_state.h"
#include "core/status.h"

namespace rampart::attest::tpm {
class NodeVerifier;
}

namespace rampart::cli {

class NodePoller {
 public:
  // Polls once before returning, so readers see every node's state at once.
  NodePoller(std::shared_ptr<attest::tpm::NodeVerifier> verifier, std::chrono::seconds interval);
  ~NodePoller();
  std::shared_ptr<const NodeStateReader> states() const;
  // The loop's /metrics text (NodeVerifier::MetricsText); thread-safe.
  std::string MetricsText() const;

 private:
  std::shared_ptr<attest::tpm::NodeVerifier> verifier_;
  std::chrono::seconds interval_;
  std::jthread thread_;
};

// The nodes of `registry` that have an agent address, checked against the
// golden values of `policy`; `sink` (may be null) must outlive the poller.
Result<std::unique_ptr<NodePoller>> StartNodePoller(const std::string& registry,
                                                    const std::string& policy,
                                                    std::chrono::seconds interval, AuditSink* sink);

}  // namespace rampart::cli
