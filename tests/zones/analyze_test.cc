// NetworkPolicy semantics. Every expected connectivity below was written by
// hand from the Kubernetes documentation ("Network Policies",
// kubernetes.io/docs/concepts/services-networking/network-policies/), not
// produced by the analyzer. Each case is also cross-checked pair by pair
// against the naive evaluator.
#include "zones/analyze.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

namespace rampart::zones {
namespace {

// ns1 (team=a): a (app=a; named ports http=TCP 8080, dns=UDP 5353),
//               b (app=b; named port http=TCP 9090)
// ns2 (team=b): c (app=c, role=db)
const char* kBase = R"(
apiVersion: v1
kind: Namespace
metadata: {name: ns1, labels: {team: a}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ns2, labels: {team: b}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: ns1, labels: {app: a}}
spec:
  containers:
  - name: c
    image: x
    ports:
    - {name: http, containerPort: 8080}
    - {name: dns, containerPort: 5353, protocol: UDP}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: ns1, labels: {app: b}}
spec:
  containers:
  - {name: c, image: x, ports: [{name: http, containerPort: 9090}]}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: ns2, labels: {app: c, role: db}}
spec: {containers: [{name: c, image: x}]}
)";

// A fourth pod for selector cases: ns2/d (app=d, no role).
const char* kPodD = R"(
---
apiVersion: v1
kind: Pod
metadata: {name: d, namespace: ns2, labels: {app: d}}
spec: {containers: [{name: c, image: x}]}
)";

struct Result {
  std::string text;
  Cluster cluster;
};

std::string Lines(const Connectivity& c) {
  std::string out;
  for (const auto& x : c.List()) out += x.src + " => " + x.dst + " : " + x.conns.ToString() + "\n";
  return out;
}

// Analyzes kBase + extra and cross-checks every pod pair with NaiveBetween.
std::string Connect(const std::string& extra, bool with_d = false) {
  Cluster cluster;
  Diagnostics diags;
  ParseManifests(std::string(kBase) + (with_d ? kPodD : "") + extra, "test.yaml", &cluster, &diags);
  EXPECT_FALSE(diags.has_errors()) << diags.ToString();
  CompleteNamespaces(&cluster);
  Connectivity c = Analyze(cluster);
  for (std::size_t s = 0; s < c.workloads().size(); ++s) {
    for (std::size_t d = 0; d < c.workloads().size(); ++d) {
      if (s == d) continue;
      EXPECT_EQ(c.Between({false, static_cast<int>(s)}, {false, static_cast<int>(d)}),
                NaiveBetween(cluster, *c.workloads()[s], *c.workloads()[d]))
          << c.workloads()[s]->Id() << " -> " << c.workloads()[d]->Id();
    }
  }
  return Lines(c);
}

// Only the lines whose destination is `dst`.
std::string Into(const std::string& all, const std::string& dst) {
  std::string out;
  std::size_t pos = 0;
  while (pos < all.size()) {
    std::size_t end = all.find('\n', pos);
    std::string line = all.substr(pos, end - pos);
    if (line.find(" => " + dst + " : ") != std::string::npos) out += line + "\n";
    pos = end + 1;
  }
  return out;
}
std::string From(const std::string& all, const std::string& src) {
  std::string out;
  std::size_t pos = 0;
  while (pos < all.size()) {
    std::size_t end = all.find('\n', pos);
    std::string line = all.substr(pos, end - pos);
    if (line.rfind(src + " => ", 0) == 0) out += line + "\n";
    pos = end + 1;
  }
  return out;
}

std::string Policy(const std::string& ns, const std::string& name, const std::string& spec) {
  return "\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: " + name +
         ", namespace: " + ns + "}\nspec:\n" + spec + "\n";
}

TEST(Analyze, NoPoliciesAllowsEverything) {
  EXPECT_EQ(Connect(""),
            "0.0.0.0-255.255.255.255[External] => ns1/a[Pod] : All Connections\n"
            "0.0.0.0-255.255.255.255[External] => ns1/b[Pod] : All Connections\n"
            "0.0.0.0-255.255.255.255[External] => ns2/c[Pod] : All Connections\n"
            "ns1/a[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
            "ns1/a[Pod] => ns1/b[Pod] : All Connections\n"
            "ns1/a[Pod] => ns2/c[Pod] : All Connections\n"
            "ns1/b[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
            "ns1/b[Pod] => ns1/a[Pod] : All Connections\n"
            "ns1/b[Pod] => ns2/c[Pod] : All Connections\n"
            "ns2/c[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
            "ns2/c[Pod] => ns1/a[Pod] : All Connections\n"
            "ns2/c[Pod] => ns1/b[Pod] : All Connections\n");
}

TEST(Analyze, DefaultDenyIngressIsolatesTheNamespace) {
  // No policyTypes and no egress rules: the policy is Ingress-only.
  EXPECT_EQ(Connect(Policy("ns1", "deny-in", "  podSelector: {}")),
            "0.0.0.0-255.255.255.255[External] => ns2/c[Pod] : All Connections\n"
            "ns1/a[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
            "ns1/a[Pod] => ns2/c[Pod] : All Connections\n"
            "ns1/b[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
            "ns1/b[Pod] => ns2/c[Pod] : All Connections\n"
            "ns2/c[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n");
}

TEST(Analyze, DefaultDenyEgress) {
  EXPECT_EQ(Connect(Policy("ns1", "deny-out", "  podSelector: {}\n  policyTypes: [Egress]")),
            "0.0.0.0-255.255.255.255[External] => ns1/a[Pod] : All Connections\n"
            "0.0.0.0-255.255.255.255[External] => ns1/b[Pod] : All Connections\n"
            "0.0.0.0-255.255.255.255[External] => ns2/c[Pod] : All Connections\n"
            "ns2/c[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
            "ns2/c[Pod] => ns1/a[Pod] : All Connections\n"
            "ns2/c[Pod] => ns1/b[Pod] : All Connections\n");
}

TEST(Analyze, PodSelectorPeerSelectsOnlyThePolicyNamespace) {
  // podSelector alone (even {}) selects pods in the policy's own namespace.
  EXPECT_EQ(Connect(Policy("ns1", "a-in",
                           "  podSelector: {matchLabels: {app: a}}\n"
                           "  ingress:\n  - from: [{podSelector: {}}]\n    ports: [{port: 8080}]")),
            "0.0.0.0-255.255.255.255[External] => ns1/b[Pod] : All Connections\n"
            "0.0.0.0-255.255.255.255[External] => ns2/c[Pod] : All Connections\n"
            "ns1/a[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
            "ns1/a[Pod] => ns1/b[Pod] : All Connections\n"
            "ns1/a[Pod] => ns2/c[Pod] : All Connections\n"
            "ns1/b[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
            "ns1/b[Pod] => ns1/a[Pod] : TCP 8080\n"
            "ns1/b[Pod] => ns2/c[Pod] : All Connections\n"
            "ns2/c[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
            "ns2/c[Pod] => ns1/b[Pod] : All Connections\n");
}

TEST(Analyze, NamespaceSelectorAloneSelectsEveryPodOfMatchingNamespaces) {
  std::string out =
      Connect(Policy("ns1", "a-in",
                     "  podSelector: {matchLabels: {app: a}}\n"
                     "  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: b}}}]"),
              true);
  EXPECT_EQ(Into(out, "ns1/a[Pod]"),
            "ns2/c[Pod] => ns1/a[Pod] : All Connections\n"
            "ns2/d[Pod] => ns1/a[Pod] : All Connections\n");
}

TEST(Analyze, NamespaceAndPodSelectorInOnePeerAreAnded) {
  std::string out = Connect(Policy("ns1", "a-in",
                                   "  podSelector: {matchLabels: {app: a}}\n"
                                   "  ingress:\n  - from:\n"
                                   "    - namespaceSelector: {matchLabels: {team: b}}\n"
                                   "      podSelector: {matchLabels: {role: db}}"),
                            true);
  EXPECT_EQ(Into(out, "ns1/a[Pod]"), "ns2/c[Pod] => ns1/a[Pod] : All Connections\n");
}

TEST(Analyze, TwoPeersAreOred) {
  std::string out = Connect(Policy("ns1", "a-in",
                                   "  podSelector: {matchLabels: {app: a}}\n"
                                   "  ingress:\n  - from:\n"
                                   "    - namespaceSelector: {matchLabels: {team: b}}\n"
                                   "    - podSelector: {matchLabels: {app: b}}"),
                            true);
  EXPECT_EQ(Into(out, "ns1/a[Pod]"),
            "ns1/b[Pod] => ns1/a[Pod] : All Connections\n"
            "ns2/c[Pod] => ns1/a[Pod] : All Connections\n"
            "ns2/d[Pod] => ns1/a[Pod] : All Connections\n");
}

TEST(Analyze, EmptyNamespaceSelectorMeansEveryNamespace) {
  std::string out = Connect(Policy("ns1", "a-in",
                                   "  podSelector: {matchLabels: {app: a}}\n"
                                   "  ingress:\n  - from:\n"
                                   "    - namespaceSelector: {}\n"
                                   "      podSelector: {matchLabels: {role: db}}"),
                            true);
  EXPECT_EQ(Into(out, "ns1/a[Pod]"), "ns2/c[Pod] => ns1/a[Pod] : All Connections\n");
}

std::string FromAnyNamespace(const std::string& pod_selector) {
  return Policy("ns1", "a-in",
                "  podSelector: {matchLabels: {app: a}}\n"
                "  ingress:\n  - from:\n"
                "    - namespaceSelector: {}\n"
                "      podSelector: " +
                    pod_selector);
}

TEST(Analyze, MatchExpressionsIn) {
  EXPECT_EQ(Into(Connect(FromAnyNamespace(
                             "{matchExpressions: [{key: app, operator: In, values: [b, d]}]}"),
                         true),
                 "ns1/a[Pod]"),
            "ns1/b[Pod] => ns1/a[Pod] : All Connections\n"
            "ns2/d[Pod] => ns1/a[Pod] : All Connections\n");
}

TEST(Analyze, MatchExpressionsNotInAlsoMatchesPodsWithoutTheKey) {
  EXPECT_EQ(Into(Connect(FromAnyNamespace(
                             "{matchExpressions: [{key: role, operator: NotIn, values: [db]}]}"),
                         true),
                 "ns1/a[Pod]"),
            "ns1/b[Pod] => ns1/a[Pod] : All Connections\n"
            "ns2/d[Pod] => ns1/a[Pod] : All Connections\n");
}

TEST(Analyze, MatchExpressionsExistsAndDoesNotExist) {
  EXPECT_EQ(
      Into(Connect(FromAnyNamespace("{matchExpressions: [{key: role, operator: Exists}]}"), true),
           "ns1/a[Pod]"),
      "ns2/c[Pod] => ns1/a[Pod] : All Connections\n");
  EXPECT_EQ(
      Into(Connect(FromAnyNamespace("{matchExpressions: [{key: role, operator: DoesNotExist}]}"),
                   true),
           "ns1/a[Pod]"),
      "ns1/b[Pod] => ns1/a[Pod] : All Connections\n"
      "ns2/d[Pod] => ns1/a[Pod] : All Connections\n");
}

TEST(Analyze, MatchLabelsAndMatchExpressionsAreAnded) {
  EXPECT_EQ(Into(Connect(FromAnyNamespace("{matchLabels: {app: d}, matchExpressions: "
                                          "[{key: role, operator: Exists}]}"),
                         true),
                 "ns1/a[Pod]"),
            "");
  EXPECT_EQ(Into(Connect(FromAnyNamespace("{matchLabels: {app: c}, matchExpressions: "
                                          "[{key: role, operator: In, values: [db, cache]}]}"),
                         true),
                 "ns1/a[Pod]"),
            "ns2/c[Pod] => ns1/a[Pod] : All Connections\n");
}

TEST(Analyze, PolicyPodSelectorWithExpressions) {
  // Selects a and b: both lose all ingress; c keeps it.
  std::string out = Connect(Policy("ns1", "deny",
                                   "  podSelector: {matchExpressions: [{key: app, operator: In, "
                                   "values: [a, b]}]}\n  ingress: []"));
  EXPECT_EQ(Into(out, "ns1/a[Pod]"), "");
  EXPECT_EQ(Into(out, "ns1/b[Pod]"), "");
  EXPECT_EQ(Into(out, "ns2/c[Pod]"),
            "0.0.0.0-255.255.255.255[External] => ns2/c[Pod] : All Connections\n"
            "ns1/a[Pod] => ns2/c[Pod] : All Connections\n"
            "ns1/b[Pod] => ns2/c[Pod] : All Connections\n");
}

TEST(Analyze, IpBlockWithExceptSplitsTheAddressSpace) {
  std::string out = Connect(Policy("ns1", "a-in",
                                   "  podSelector: {matchLabels: {app: a}}\n"
                                   "  ingress:\n  - from:\n"
                                   "    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}"));
  // ipBlocks select addresses outside the cluster, never pods.
  EXPECT_EQ(Into(out, "ns1/a[Pod]"),
            "10.0.0.0-10.0.255.255[External] => ns1/a[Pod] : All Connections\n"
            "10.2.0.0-10.255.255.255[External] => ns1/a[Pod] : All Connections\n");
  // Unisolated b receives from every range, each range on its own line.
  EXPECT_EQ(Into(out, "ns1/b[Pod]"),
            "0.0.0.0-9.255.255.255[External] => ns1/b[Pod] : All Connections\n"
            "10.0.0.0-10.0.255.255[External] => ns1/b[Pod] : All Connections\n"
            "10.1.0.0-10.1.255.255[External] => ns1/b[Pod] : All Connections\n"
            "10.2.0.0-10.255.255.255[External] => ns1/b[Pod] : All Connections\n"
            "11.0.0.0-255.255.255.255[External] => ns1/b[Pod] : All Connections\n"
            "ns1/a[Pod] => ns1/b[Pod] : All Connections\n"
            "ns2/c[Pod] => ns1/b[Pod] : All Connections\n");
}

TEST(Analyze, EgressIpBlockWithPorts) {
  std::string out = Connect(Policy("ns1", "b-out",
                                   "  podSelector: {matchLabels: {app: b}}\n"
                                   "  policyTypes: [Egress]\n"
                                   "  egress:\n  - to: [{ipBlock: {cidr: 192.168.0.0/16}}]\n"
                                   "    ports: [{protocol: UDP, port: 53}]"));
  EXPECT_EQ(From(out, "ns1/b[Pod]"),
            "ns1/b[Pod] => 192.168.0.0-192.168.255.255[External] : UDP 53\n");
}

TEST(Analyze, NamedPortsResolvePerDestination) {
  // No `from`: every source, pods and addresses alike.
  std::string out =
      Connect(Policy("ns1", "http-in", "  podSelector: {}\n  ingress:\n  - ports: [{port: http}]"));
  EXPECT_EQ(Into(out, "ns1/a[Pod]"),
            "0.0.0.0-255.255.255.255[External] => ns1/a[Pod] : TCP 8080\n"
            "ns1/b[Pod] => ns1/a[Pod] : TCP 8080\n"
            "ns2/c[Pod] => ns1/a[Pod] : TCP 8080\n");
  EXPECT_EQ(Into(out, "ns1/b[Pod]"),
            "0.0.0.0-255.255.255.255[External] => ns1/b[Pod] : TCP 9090\n"
            "ns1/a[Pod] => ns1/b[Pod] : TCP 9090\n"
            "ns2/c[Pod] => ns1/b[Pod] : TCP 9090\n");
}

TEST(Analyze, NamedPortMustMatchTheProtocol) {
  // a's "dns" is UDP: a TCP rule (the default protocol) resolves to nothing.
  EXPECT_EQ(Into(Connect(Policy("ns1", "dns-in",
                                "  podSelector: {matchLabels: {app: a}}\n"
                                "  ingress:\n  - ports: [{port: dns}]")),
                 "ns1/a[Pod]"),
            "");
  EXPECT_EQ(Into(Connect(Policy("ns1", "dns-in",
                                "  podSelector: {matchLabels: {app: a}}\n"
                                "  ingress:\n  - ports: [{port: dns, protocol: UDP}]")),
                 "ns1/a[Pod]"),
            "0.0.0.0-255.255.255.255[External] => ns1/a[Pod] : UDP 5353\n"
            "ns1/b[Pod] => ns1/a[Pod] : UDP 5353\n"
            "ns2/c[Pod] => ns1/a[Pod] : UDP 5353\n");
}

TEST(Analyze, EgressNamedPortResolvesAgainstTheDestinationPod) {
  std::string out =
      Connect(Policy("ns2", "c-out",
                     "  podSelector: {matchLabels: {app: c}}\n"
                     "  policyTypes: [Egress]\n"
                     "  egress:\n  - to: [{namespaceSelector: {matchLabels: {team: a}}}]\n"
                     "    ports: [{port: http}]"));
  EXPECT_EQ(From(out, "ns2/c[Pod]"),
            "ns2/c[Pod] => ns1/a[Pod] : TCP 8080\n"
            "ns2/c[Pod] => ns1/b[Pod] : TCP 9090\n");
}

TEST(Analyze, EndPortMakesARange) {
  EXPECT_EQ(Into(Connect(Policy("ns1", "nccl",
                                "  podSelector: {matchLabels: {app: a}}\n"
                                "  ingress:\n  - from: [{podSelector: {matchLabels: {app: b}}}]\n"
                                "    ports: [{port: 29500, endPort: 29600}]")),
                 "ns1/a[Pod]"),
            "ns1/b[Pod] => ns1/a[Pod] : TCP 29500-29600\n");
}

TEST(Analyze, ProtocolsTcpUdpSctpAndProtocolWithoutPort) {
  EXPECT_EQ(
      Into(Connect(Policy("ns1", "p",
                          "  podSelector: {matchLabels: {app: a}}\n"
                          "  ingress:\n  - from: [{podSelector: {matchLabels: {app: b}}}]\n"
                          "    ports: [{protocol: UDP, port: 53}, {protocol: SCTP, port: 9000}, "
                          "{port: 80}]\n"
                          "  - from: [{namespaceSelector: {}}]\n"
                          "    ports: [{protocol: UDP}]")),
           "ns1/a[Pod]"),
      "ns1/b[Pod] => ns1/a[Pod] : SCTP 9000,TCP 80,UDP 1-65535\n"
      "ns2/c[Pod] => ns1/a[Pod] : UDP 1-65535\n");
}

TEST(Analyze, EgressRulesWithoutPolicyTypesIsolateIngressToo) {
  // policyTypes defaults to [Ingress, Egress] when egress rules exist; with no
  // ingress rules the selected pod receives nothing.
  std::string out = Connect(Policy("ns1", "a-out",
                                   "  podSelector: {matchLabels: {app: a}}\n"
                                   "  egress:\n  - ports: [{port: 443}]"));
  EXPECT_EQ(Into(out, "ns1/a[Pod]"), "");
  EXPECT_EQ(From(out, "ns1/a[Pod]"),
            "ns1/a[Pod] => 0.0.0.0-255.255.255.255[External] : TCP 443\n"
            "ns1/a[Pod] => ns1/b[Pod] : TCP 443\n"
            "ns1/a[Pod] => ns2/c[Pod] : TCP 443\n");
}

TEST(Analyze, ExplicitPolicyTypesIgnoreTheOtherDirectionsRules) {
  std::string out =
      Connect(Policy("ns1", "a-out",
                     "  podSelector: {matchLabels: {app: a}}\n"
                     "  policyTypes: [Egress]\n"
                     "  ingress:\n  - from: [{podSelector: {matchLabels: {app: b}}}]\n"
                     "  egress:\n  - to: [{podSelector: {matchLabels: {app: b}}}]"));
  EXPECT_EQ(Into(out, "ns1/a[Pod]"),
            "0.0.0.0-255.255.255.255[External] => ns1/a[Pod] : All Connections\n"
            "ns1/b[Pod] => ns1/a[Pod] : All Connections\n"
            "ns2/c[Pod] => ns1/a[Pod] : All Connections\n");
  EXPECT_EQ(From(out, "ns1/a[Pod]"), "ns1/a[Pod] => ns1/b[Pod] : All Connections\n");
}

TEST(Analyze, EmptyRuleAllowsEverySource) {
  std::string want =
      "0.0.0.0-255.255.255.255[External] => ns1/a[Pod] : All Connections\n"
      "ns1/b[Pod] => ns1/a[Pod] : All Connections\n"
      "ns2/c[Pod] => ns1/a[Pod] : All Connections\n";
  EXPECT_EQ(Into(Connect(Policy("ns1", "all",
                                "  podSelector: {matchLabels: {app: a}}\n  ingress:\n  - {}")),
                 "ns1/a[Pod]"),
            want);
  EXPECT_EQ(
      Into(Connect(Policy("ns1", "all",
                          "  podSelector: {matchLabels: {app: a}}\n  ingress:\n  - from: []")),
           "ns1/a[Pod]"),
      want);
}

TEST(Analyze, PoliciesSelectingOnePodAreUnioned) {
  std::string out =
      Connect(Policy("ns1", "one",
                     "  podSelector: {matchLabels: {app: a}}\n"
                     "  ingress:\n  - from: [{podSelector: {matchLabels: {app: b}}}]\n"
                     "    ports: [{port: 80}]") +
              Policy("ns1", "two",
                     "  podSelector: {}\n"
                     "  ingress:\n  - from: [{podSelector: {matchLabels: {app: b}}}]\n"
                     "    ports: [{port: 53, protocol: UDP}]"));
  EXPECT_EQ(Into(out, "ns1/a[Pod]"), "ns1/b[Pod] => ns1/a[Pod] : TCP 80,UDP 53\n");
}

TEST(Analyze, EgressAndIngressIntersect) {
  // The automatic namespace label kubernetes.io/metadata.name selects ns1.
  std::string out = Connect(Policy("ns1", "a-out",
                                   "  podSelector: {matchLabels: {app: a}}\n"
                                   "  policyTypes: [Egress]\n"
                                   "  egress:\n  - to: [{namespaceSelector: {}, podSelector: "
                                   "{matchLabels: {app: c}}}]\n"
                                   "    ports: [{port: 80, endPort: 90}]") +
                            Policy("ns2", "c-in",
                                   "  podSelector: {}\n"
                                   "  ingress:\n  - from: [{namespaceSelector: {matchLabels: "
                                   "{kubernetes.io/metadata.name: ns1}}}]\n"
                                   "    ports: [{port: 85, endPort: 100}]"));
  EXPECT_EQ(Into(out, "ns2/c[Pod]"),
            "ns1/a[Pod] => ns2/c[Pod] : TCP 85-90\n"
            "ns1/b[Pod] => ns2/c[Pod] : TCP 85-100\n");
}

TEST(Analyze, UndeclaredNamespaceGetsItsAutomaticLabel) {
  std::string out = Connect(
      "\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: e, namespace: ns3}\nspec: {containers: "
      "[{name: c, image: x}]}\n" +
      Policy("ns1", "a-in",
             "  podSelector: {matchLabels: {app: a}}\n"
             "  ingress:\n  - from: [{namespaceSelector: {matchLabels: "
             "{kubernetes.io/metadata.name: ns3}}}]"));
  EXPECT_EQ(Into(out, "ns1/a[Pod]"), "ns3/e[Pod] => ns1/a[Pod] : All Connections\n");
}

TEST(Analyze, EveryWorkloadKindContributesItsPodTemplate) {
  std::string manifests;
  for (const char* kind :
       {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}) {
    std::string k = kind;
    std::string lower;
    for (char ch : k) lower += static_cast<char>(std::tolower(ch));
    manifests += "---\napiVersion: apps/v1\nkind: " + k + "\nmetadata: {name: " + lower +
                 ", namespace: w}\nspec:\n  template:\n    metadata: {labels: {kind: " + lower +
                 "}}\n    spec: {containers: [{name: c, image: x}]}\n";
  }
  manifests +=
      "---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cron, namespace: w}\nspec:\n"
      "  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n"
      "        metadata: {labels: {kind: cronjob}}\n        spec: {containers: [{name: c, image: "
      "x}]}\n";
  // Only the CronJob's pods may be reached, and only from the Job's.
  manifests += Policy("w", "p",
                      "  podSelector: {matchLabels: {kind: cronjob}}\n  ingress:\n  - from: "
                      "[{podSelector: {matchLabels: {kind: job}}}]") +
               Policy("w", "q",
                      "  podSelector: {matchExpressions: [{key: kind, operator: NotIn, values: "
                      "[cronjob]}]}\n  ingress: []");
  Cluster cluster;
  Diagnostics diags;
  ParseManifests(manifests, "kinds.yaml", &cluster, &diags);
  ASSERT_FALSE(diags.has_errors()) << diags.ToString();
  CompleteNamespaces(&cluster);
  ASSERT_EQ(cluster.workloads.size(), 7u);
  Connectivity c = Analyze(cluster);
  std::string all;
  for (const auto& x : c.List()) {
    if (x.src.find('/') != std::string::npos && x.dst.find('/') != std::string::npos) {
      all += x.src + " => " + x.dst + " : " + x.conns.ToString() + "\n";
    }
  }
  EXPECT_EQ(all, "w/job[Job] => w/cron[CronJob] : All Connections\n");
  std::set<std::string> ids;
  for (const auto* w : c.workloads()) ids.insert(w->Id());
  EXPECT_EQ(ids,
            (std::set<std::string>{
                "w/cron[CronJob]", "w/daemonset[DaemonSet]", "w/deployment[Deployment]",
                "w/job[Job]", "w/replicaset[ReplicaSet]",
                "w/replicationcontroller[ReplicationController]", "w/statefulset[StatefulSet]"}));
}

TEST(Analyze, ExplainNamesThePoliciesAndRules) {
  Cluster cluster;
  Diagnostics diags;
  ParseManifests(
      std::string(kBase) + Policy("ns1", "a-in",
                                  "  podSelector: {matchLabels: {app: a}}\n"
                                  "  ingress:\n  - from: [{podSelector: {matchLabels: {app: b}}}]\n"
                                  "    ports: [{port: 8080}]\n"
                                  "  - from: [{podSelector: {matchLabels: {app: z}}}]"),
      "p.yaml", &cluster, &diags);
  CompleteNamespaces(&cluster);
  Connectivity c = Analyze(cluster);
  auto b = c.FindPeer("ns1/b");
  auto a = c.FindPeer("ns1/a[Pod]");
  auto cc = c.FindPeer("ns2/c");
  ASSERT_TRUE(a && b && cc);
  auto lines = c.Explain(*b, *a);
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  EXPECT_NE(text.find("egress: no policy with Egress selects ns1/b[Pod]; all egress allowed"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ingress: policy ns1/a-in ingress rule 1 (p.yaml:"), std::string::npos)
      << text;
  EXPECT_NE(text.find("allows TCP 8080 via podSelector {app=b}"), std::string::npos) << text;
  EXPECT_NE(text.find("ingress rule 2 (p.yaml:"), std::string::npos) << text;
  EXPECT_NE(text.find("does not match ns1/b[Pod]"), std::string::npos) << text;
  EXPECT_EQ(lines.back(), "result: ns1/b[Pod] => ns1/a[Pod] : TCP 8080");
  EXPECT_EQ(c.Explain(*cc, *a).back(), "result: ns2/c[Pod] => ns1/a[Pod] : No Connections");
  auto ip = c.FindPeer("8.8.8.8");
  ASSERT_TRUE(ip);
  EXPECT_EQ(c.Explain(*ip, *a).back(),
            "result: 0.0.0.0-255.255.255.255 => ns1/a[Pod] : No Connections");
}

TEST(Analyze, EquivalentPodsShareAClass) {
  std::string manifests;
  for (int i = 0; i < 50; ++i) {
    manifests += "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p" + std::to_string(i) +
                 ", namespace: n, labels: {app: " + (i % 2 ? "odd" : "even") +
                 "}}\nspec: {containers: [{name: c, image: x}]}\n";
  }
  manifests += Policy("n", "odd-in",
                      "  podSelector: {matchLabels: {app: odd}}\n"
                      "  ingress:\n  - from: [{podSelector: {matchLabels: {app: even}}}]");
  Cluster cluster;
  Diagnostics diags;
  ParseManifests(manifests, "m.yaml", &cluster, &diags);
  CompleteNamespaces(&cluster);
  Connectivity c = Analyze(cluster);
  EXPECT_EQ(c.class_count(), 2u);
  // even -> everything but itself: 25*49; odd -> even only: 25*25.
  EXPECT_EQ(c.CountWorkloadPairs(), 25u * 49u + 25u * 25u);
  EXPECT_EQ(c.CountWorkloadPairs(), [&] {
    std::uint64_t n = 0;
    for (const auto& x : c.List())
      n += x.src.find('/') != std::string::npos && x.dst.find('/') != std::string::npos;
    return n;
  }());
}

// netpol-analyzer's listing: sources are cut by the ipBlocks of ingress
// rules only, destinations by those of egress rules only; the fine ranges
// (both) stay the peers of Between() and Explain().
TEST(Analyze, ListedRangesAreCutPerDirection) {
  Cluster cluster;
  Diagnostics diags;
  ParseManifests(std::string(kBase) +
                     Policy("ns1", "a-in",
                            "  podSelector: {matchLabels: {app: a}}\n"
                            "  ingress:\n  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]") +
                     Policy("ns1", "b-out",
                            "  podSelector: {matchLabels: {app: b}}\n  policyTypes: [Egress]\n"
                            "  egress:\n  - to: [{ipBlock: {cidr: 192.168.0.0/16}}]"),
                 "r.yaml", &cluster, &diags);
  ASSERT_FALSE(diags.has_errors()) << diags.ToString();
  CompleteNamespaces(&cluster);
  Connectivity c = Analyze(cluster);
  EXPECT_EQ(c.ip_ranges().size(), 5u);
  ASSERT_EQ(c.source_ranges().size(), 3u);
  ASSERT_EQ(c.destination_ranges().size(), 3u);
  EXPECT_EQ(RangeToString(c.source_ranges()[1]), "10.0.0.0-10.255.255.255");
  EXPECT_EQ(RangeToString(c.destination_ranges()[1]), "192.168.0.0-192.168.255.255");
  std::string out = Lines(c);
  EXPECT_EQ(Into(out, "ns1/a[Pod]"),
            "10.0.0.0-10.255.255.255[External] => ns1/a[Pod] : All Connections\n");
  EXPECT_EQ(From(out, "ns2/c[Pod]"),
            "ns2/c[Pod] => 0.0.0.0-192.167.255.255[External] : All Connections\n"
            "ns2/c[Pod] => 192.168.0.0-192.168.255.255[External] : All Connections\n"
            "ns2/c[Pod] => 192.169.0.0-255.255.255.255[External] : All Connections\n"
            "ns2/c[Pod] => ns1/b[Pod] : All Connections\n");
  // A listed name finds its range again, with or without the suffix.
  auto r = c.FindPeer("10.0.0.0-10.255.255.255[External]");
  auto a = c.FindPeer("ns1/a");
  ASSERT_TRUE(r && a);
  EXPECT_TRUE(r->is_ip);
  EXPECT_EQ(c.Between(*r, *a).ToString(), "All Connections");
  EXPECT_EQ(c.FindPeer("10.0.0.0-10.255.255.255"), r);
}

// Ingress and Route objects: {ingress-controller} reaches the pods behind
// their Services on the ports those pods declare, within what the policies
// allow from a pod of another namespace.
TEST(Analyze, IngressControllerLines) {
  const std::string svc = R"(
---
apiVersion: v1
kind: Service
metadata: {name: a-svc, namespace: ns1}
spec:
  selector: {app: a}
  ports: [{name: web, port: 80, targetPort: http}, {name: dns, port: 53, targetPort: dns}]
---
apiVersion: v1
kind: Service
metadata: {name: c-svc, namespace: ns2}
spec:
  selector: {app: c}
  ports: [{port: 5432}]
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: a, namespace: ns1}
spec: {to: {kind: Service, name: a-svc}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: c, namespace: ns2}
spec: {defaultBackend: {service: {name: c-svc, port: {number: 5432}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: wrong-namespace, namespace: ns1}
spec: {defaultBackend: {service: {name: c-svc, port: {number: 5432}}}}
)";
  auto run = [&](const std::string& extra) {
    Cluster cluster;
    Diagnostics diags;
    ParseManifests(std::string(kBase) + svc + extra, "i.yaml", &cluster, &diags);
    EXPECT_FALSE(diags.has_errors()) << diags.ToString();
    CompleteNamespaces(&cluster);
    Connectivity c = Analyze(cluster);
    std::string out;
    for (const auto& x : c.ingress_controller()) {
      out += x.src + " => " + x.dst + " : " + x.conns.ToString() + "\n";
    }
    return out;
  };
  // a: the Route takes every Service port; http is TCP 8080 on a, dns is UDP
  // (no ingress). c declares no port 5432: nothing.
  EXPECT_EQ(run(""), "{ingress-controller} => ns1/a[Pod] : TCP 8080\n");
  // A policy admitting only ns1's own pods blocks the controller.
  EXPECT_EQ(run(Policy("ns1", "a-in",
                       "  podSelector: {matchLabels: {app: a}}\n"
                       "  ingress:\n  - from: [{podSelector: {}}]")),
            "");
  // One admitting every namespace lets it through.
  EXPECT_EQ(run(Policy("ns1", "a-in",
                       "  podSelector: {matchLabels: {app: a}}\n"
                       "  ingress:\n  - from: [{namespaceSelector: {}}]\n"
                       "    ports: [{port: 8080}, {port: 9999}]")),
            "{ingress-controller} => ns1/a[Pod] : TCP 8080\n");
}

}  // namespace
}  // namespace rampart::zones
