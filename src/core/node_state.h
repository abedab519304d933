// NodeStateReader: what the node verifier last concluded about an enrolled
// node, read by pillars that gate on it (the key broker releases no model key
// to a node that is not attested) without linking the TPM code.
// `rampart serve` wires the verifier's implementation in.
//
// Contract for every implementation: Lookup is thread-safe and cheap (an
// in-memory map); an unknown node is std::nullopt, which a caller treats as
// not attested (fail closed).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rampart {

enum class NodeHealth {
  kUnknown,      // enrolled, not verified yet
  kAttested,     // the last quote verified and matched the class's golden values
  kDrifted,      // the last quote verified; facts departed from the golden values
  kRefused,      // the last evidence failed a check (signature, nonce, replay)
  kUnreachable,  // the last poll got no evidence
};

// "unknown", "attested", "drifted", "refused", "unreachable".
constexpr std::string_view NodeHealthName(NodeHealth h) {
  switch (h) {
    case NodeHealth::kAttested:
      return "attested";
    case NodeHealth::kDrifted:
      return "drifted";
    case NodeHealth::kRefused:
      return "refused";
    case NodeHealth::kUnreachable:
      return "unreachable";
    case NodeHealth::kUnknown:
      break;
  }
  return "unknown";
}

struct NodeState {
  std::string name;
  std::string node_class;
  NodeHealth health = NodeHealth::kUnknown;
  std::vector<std::string> reasons;  // drift or refusal messages, by name
  std::chrono::system_clock::time_point checked_at{};
};

class NodeStateReader {
 public:
  virtual ~NodeStateReader() = default;
  virtual std::optional<NodeState> Lookup(std::string_view name) const = 0;
};

}  // namespace rampart
