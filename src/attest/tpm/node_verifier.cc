#include "attest/tpm/node_verifier.h"

#include <boost/json.hpp>

namespace rampart::attest::tpm {

NodeVerifier::NodeVerifier(NodePolicy policy, std::vector<EnrolledNode> nodes, FetchEvidence fetch,
                           AuditSink* sink)
    : policy_(std::move(policy)), nodes_(std::move(nodes)), fetch_(std::move(fetch)), sink_(sink) {
  for (const auto& n : nodes_) states_[n.name] = NodeState{n.name, n.node_class};
}

NodeState NodeVerifier::Check(const EnrolledNode& node,
                              std::chrono::system_clock::time_point now) const {
  NodeState s{node.name, node.node_class};
  s.checked_at = now;
  auto cls = policy_.classes.find(node.node_class);
  if (cls == policy_.classes.end()) {
    s.health = NodeHealth::kRefused;
    s.reasons.push_back("policy.class: no class \"" + node.node_class + "\" in the node policy");
    return s;
  }
  Bytes nonce(32);
  if (!crypto::RandomBytes(nonce).ok()) {
    s.health = NodeHealth::kUnreachable;
    s.reasons.push_back("nonce: no randomness");
    return s;
  }
  auto ev = fetch_(node, nonce);
  if (!ev) {
    s.health = NodeHealth::kUnreachable;
    s.reasons.push_back("fetch: " + ev.error().message());
    return s;
  }
  NodeVerdict v = VerifyNode(*ev, node.ak, nonce, &cls->second);
  if (!v.refusal.ok()) {
    s.health = NodeHealth::kRefused;
    s.reasons.push_back(v.refusal.message());
  } else if (!v.drifts.empty()) {
    s.health = NodeHealth::kDrifted;
    for (const auto& d : v.drifts) s.reasons.push_back(d.message);
  } else {
    s.health = NodeHealth::kAttested;
  }
  return s;
}

NodeVerifier::PollResult NodeVerifier::PollOnce(std::chrono::system_clock::time_point now) {
  PollResult r;
  for (const auto& node : nodes_) {
    NodeState s = Check(node, now);
    NodeHealth before;
    {
      std::lock_guard lock(mu_);
      NodeState& cur = states_[node.name];
      before = cur.health;
      cur = s;
    }
    bool ok = s.health == NodeHealth::kAttested;
    bool changed = before != s.health;
    (ok ? r.attested : r.failed)++;
    if (changed) ++r.changed;
    if (sink_ == nullptr) continue;
    AuditEvent e;
    e.type = ok ? "node.attested" : "node.drifted";
    e.actor = "rampart-node-verifier";
    e.time = now;
    e.fields["node"] = node.name;
    e.fields["class"] = node.node_class;
    e.fields["health"] = std::string(NodeHealthName(s.health));
    e.fields["previous"] = std::string(NodeHealthName(before));
    e.fields["changed"] = changed;
    boost::json::array reasons;
    for (const auto& m : s.reasons) reasons.push_back(boost::json::string(m));
    e.fields["reasons"] = std::move(reasons);
    if (!sink_->Append(std::move(e)).ok()) ++r.audit_failures;
  }
  return r;
}

std::optional<NodeState> NodeVerifier::Lookup(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = states_.find(name);
  if (it == states_.end()) return std::nullopt;
  return it->second;
}

}  // namespace rampart::attest::tpm
