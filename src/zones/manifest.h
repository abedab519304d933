// Kubernetes manifests as the analyzer sees them: namespaces, workloads (the
// pod templates of Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets,
// ReplicationControllers, Jobs and CronJobs) and NetworkPolicies.
//
// ParseManifests reads one file's text (one or many YAML documents, `List`
// objects included) into a Cluster, recording a Diagnostic with file:line for
// everything it skips: text that is not YAML (the whole file), unknown kinds
// (a note), malformed selectors, CIDRs or ports (the offending object is
// skipped whole, so no half-understood policy reaches the analysis). Never
// throws, never asserts on input. Not thread-safe per Cluster.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "core/status.h"
#include "zones/conn_set.h"
#include "zones/ip_set.h"

namespace rampart::zones {

using Labels = std::map<std::string, std::string, std::less<>>;

struct LabelRequirement {
  enum class Op { kIn, kNotIn, kExists, kDoesNotExist };
  std::string key;
  Op op = Op::kExists;
  std::vector<std::string> values;  // sorted; empty for Exists/DoesNotExist
};

// A metav1.LabelSelector: the AND of matchLabels and matchExpressions; the
// empty selector matches everything.
struct LabelSelector {
  Labels match_labels;
  std::vector<LabelRequirement> match_expressions;

  bool Matches(const Labels& labels) const;
  bool empty() const { return match_labels.empty() && match_expressions.empty(); }
  // "{app=web, tier in (a,b), !debug}"; "{}" when empty.
  std::string ToString() const;
};

struct ContainerPort {
  std::string name;  // "" when unnamed
  Protocol protocol = Protocol::kTcp;
  std::uint16_t port = 0;
};

struct Namespace {
  std::string name;
  Labels labels;  // includes kubernetes.io/metadata.name
  SourceLocation where;
};

struct Workload {
  std::string ns;
  std::string name;
  std::string kind;  // "Deployment", "Pod", ...
  Labels labels;     // the pod template's labels
  std::vector<ContainerPort> ports;
  SourceLocation where;

  // "ns/name[Kind]", the np-guard peer name.
  std::string Id() const { return ns + "/" + name + "[" + kind + "]"; }
};

// One entry of a rule's `ports`.
struct PolicyPort {
  Protocol protocol = Protocol::kTcp;
  // No port: every port of the protocol. A number, optionally with endPort,
  // or a named container port resolved against the destination workload.
  std::optional<std::uint16_t> port;
  std::optional<std::uint16_t> end_port;
  std::string name;
  std::string ToString() const;  // "TCP 8080", "TCP 29500-29600", "TCP dns-tcp", "UDP"
};

struct PolicyPeer {
  std::optional<LabelSelector> pod_selector;
  std::optional<LabelSelector> namespace_selector;
  std::optional<IpSet> ip_block;  // cidr minus except (IPv4)
  std::string ip_text;            // "10.0.0.0/8 except 10.1.0.0/16", for explanations
  std::string ToString() const;
};

struct PolicyRule {
  // `from`/`to` absent or empty: every source/destination (all pods, all IPs).
  bool all_peers = true;
  std::vector<PolicyPeer> peers;
  // `ports` absent or empty: every port and protocol.
  std::vector<PolicyPort> ports;
  SourceLocation where;
};

struct NetworkPolicy {
  std::string ns;
  std::string name;
  LabelSelector pod_selector;
  bool ingress_type = true;  // policyTypes contains Ingress
  bool egress_type = false;  // policyTypes contains Egress
  std::vector<PolicyRule> ingress;
  std::vector<PolicyRule> egress;
  SourceLocation where;

  std::string Id() const { return ns + "/" + name; }
};

struct Cluster {
  std::vector<Namespace> namespaces;
  std::vector<Workload> workloads;
  std::vector<NetworkPolicy> policies;
  // One line per object or file that was not analysed, for the output.
  std::vector<std::string> skipped;
};

struct ManifestLimits {
  std::uint64_t max_file_bytes = 64u << 20;
  std::size_t max_objects = 200000;
};

// Adds the objects of one file's text to `*cluster`; diagnostics go to `*diags`.
void ParseManifests(std::string_view text, const std::string& file, Cluster* cluster,
                    Diagnostics* diags, const ManifestLimits& limits = {});

// Reads files and directories (every *.yaml, *.yml, *.json below a directory,
// recursively, sorted). Unreadable files become diagnostics; a path that does
// not exist is an error Status (exit 2).
Result<Cluster> LoadManifests(const std::vector<std::filesystem::path>& paths, Diagnostics* diags,
                              const ManifestLimits& limits = {});

// Namespaces referenced by workloads or policies but never declared get the
// automatic label kubernetes.io/metadata.name; call once after loading.
void CompleteNamespaces(Cluster* cluster);

}  // namespace rampart::zones
