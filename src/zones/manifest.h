// Kubernetes manifests as the analyzer sees them: namespaces, workloads (Pods,
// named by the workload that owns them, and the pod templates of Deployments,
// StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs and
// CronJobs), NetworkPolicies, and the Services, Ingresses and OpenShift Routes
// that let an ingress controller in.
//
// ParseManifests reads one file's text (one or many YAML or JSON documents,
// `List` / `PodList` / `kubectl get -o json` lists included, their items taking
// the list's kind when they carry none) into a Cluster, recording a Diagnostic
// with file:line for everything it skips: text that is not YAML (the whole
// file), unknown kinds (a note), malformed selectors, CIDRs or ports (the
// offending object is skipped whole, so no half-understood policy reaches the
// analysis). Never throws, never asserts on input. Not thread-safe per Cluster.
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

// A node of the analysis: a workload object (from its pod template), or a Pod
// named by the workload that controls it (ownerReferences with
// `controller: true`, e.g. `shop/web-7d4f9c[ReplicaSet]`), or a bare Pod.
// Several Pods of one owner are one Workload.
struct Workload {
  std::string ns;
  std::string name;
  std::string kind;  // "Deployment", "ReplicaSet", "Pod", ...
  Labels labels;     // the pod template's (or the Pod's) labels
  // containers[].ports, then those of sidecars (initContainers with
  // restartPolicy: Always), in order; named ports resolve to the first match.
  std::vector<ContainerPort> ports;
  std::string pod;  // the Pod object's own name; "" for a pod template
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

// A Service or Ingress port reference: a number, a name, or nothing.
struct PortRef {
  std::optional<std::uint16_t> number;
  std::string name;
  bool empty() const { return !number && name.empty(); }
  friend bool operator==(const PortRef&, const PortRef&) = default;
};

struct ServicePort {
  std::string name;
  Protocol protocol = Protocol::kTcp;
  std::uint16_t port = 0;
  PortRef target;  // spec.ports[].targetPort; empty: the same as `port`
};

struct K8sService {
  std::string ns;
  std::string name;
  // spec.selector; absent: the Service selects no pod (its endpoints are
  // managed by hand, which the analysis cannot see).
  std::optional<Labels> selector;
  std::vector<ServicePort> ports;
  SourceLocation where;
};

// One Service an Ingress or a Route sends traffic to.
struct IngressBackend {
  std::string service;
  PortRef port;  // Ingress backend port / Route spec.port.targetPort; empty: every port
};

// A networking.k8s.io Ingress or an OpenShift Route: traffic from the
// cluster's ingress controller to the pods behind its Services.
struct IngressObject {
  std::string kind;  // "Ingress" or "Route"
  std::string ns;
  std::string name;
  std::vector<IngressBackend> backends;
  SourceLocation where;
};

struct Cluster {
  std::vector<Namespace> namespaces;
  std::vector<Workload> workloads;
  std::vector<NetworkPolicy> policies;
  std::vector<K8sService> services;
  std::vector<IngressObject> ingresses;
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

// Merges the Pods of one owner into one Workload (the first one read). Pods of
// one owner whose labels differ in a way some policy or Service selector can
// tell apart make the analysis ambiguous: an error naming both pods. Call once
// after loading (LoadManifests does).
void MergeOwnedPods(Cluster* cluster, Diagnostics* diags);

}  // namespace rampart::zones
