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
      ++counters_.polls;
      switch (s.health) {
        case NodeHealth::kAttested:
          ++counters_.attested;
          break;
        case NodeHealth::kDrifted:
          ++counters_.drifted;
          break;
        case NodeHealth::kRefused:
          ++counters_.refused;
          break;
        case NodeHealth::kUnreachable:
        case NodeHealth::kUnknown:
          ++counters_.unreachable;
          break;
      }
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
    if (!sink_->Append(std::move(e)).ok()) {
      ++r.audit_failures;
      std::lock_guard lock(mu_);
      ++counters_.audit_failures;
    }
  }
  return r;
}

namespace {

// A Prometheus label value: backslash, double quote and newline escaped.
std::string Label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string NodeVerifier::MetricsText() const {
  std::lock_guard lock(mu_);
  std::string out;
  out +=
      "# HELP rampart_node_attested 1 when the node's last quote verified and matched its "
      "class, else 0\n# TYPE rampart_node_attested gauge\n";
  for (const auto& n : nodes_) {
    auto it = states_.find(n.name);
    bool ok = it != states_.end() && it->second.health == NodeHealth::kAttested;
    out += "rampart_node_attested{node=\"" + Label(n.name) + "\",class=\"" + Label(n.node_class) +
           "\"} " + (ok ? "1" : "0") + "\n";
  }
  out +=
      "# HELP rampart_node_last_poll_timestamp_seconds When the node was last polled (Unix "
      "time)\n# TYPE rampart_node_last_poll_timestamp_seconds gauge\n";
  for (const auto& n : nodes_) {
    auto it = states_.find(n.name);
    if (it == states_.end() || it->second.checked_at == std::chrono::system_clock::time_point{})
      continue;  // not polled yet
    auto secs =
        std::chrono::duration_cast<std::chrono::seconds>(it->second.checked_at.time_since_epoch())
            .count();
    out += "rampart_node_last_poll_timestamp_seconds{node=\"" + Label(n.name) + "\"} " +
           std::to_string(secs) + "\n";
  }
  auto counter = [&](const char* name, const char* help, std::uint64_t v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" + name +
           " " + std::to_string(v) + "\n";
  };
  counter("rampart_node_polls_total", "Node polls, every outcome", counters_.polls);
  counter("rampart_node_polls_attested_total", "Polls whose node was attested", counters_.attested);
  counter("rampart_node_polls_drifted_total", "Polls whose node departed from its golden values",
          counters_.drifted);
  counter("rampart_node_polls_refused_total",
          "Polls whose evidence failed a check (signature, nonce, replay)", counters_.refused);
  counter("rampart_node_polls_unreachable_total", "Polls that got no evidence from the node",
          counters_.unreachable);
  counter("rampart_node_audit_failures_total", "node.* events the audit sink refused",
          counters_.audit_failures);
  return out;
}

std::optional<NodeState> NodeVerifier::Lookup(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = states_.find(name);
  if (it == states_.end()) return std::nullopt;
  return it->second;
}

}  // namespace rampart::attest::tpm
