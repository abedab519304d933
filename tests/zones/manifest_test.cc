// Bad input: every problem is a diagnostic naming the file and line; the
// offending object (or file) is skipped and the rest is still analysed.
#include "zones/manifest.h"

#include <gtest/gtest.h>

#include "testing/testing.h"
#include "zones/analyze.h"

namespace rampart::zones {
namespace {

const char* kGood = R"(apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: x}]}
)";

struct Parsed {
  Cluster cluster;
  Diagnostics diags;
};

Parsed Parse(const std::string& text) {
  Parsed p;
  ParseManifests(text, "m.yaml", &p.cluster, &p.diags);
  return p;
}

std::string Policy(const std::string& spec) {
  return "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
         "metadata: {name: bad, namespace: shop}\nspec:\n" +
         spec + "\n";
}

// Parses kGood + a policy; expects exactly one error at `line` whose message
// contains `what`, the policy skipped and the pod kept.
void ExpectBadPolicy(const std::string& spec, int line, const std::string& what) {
  Parsed p = Parse(std::string(kGood) + Policy(spec));
  ASSERT_EQ(p.diags.error_count(), 1u) << p.diags.ToString();
  const Diagnostic& d = p.diags.items()[0];
  EXPECT_EQ(d.location.file, "m.yaml");
  EXPECT_EQ(d.location.line, line) << d.ToString();
  EXPECT_NE(d.message.find(what), std::string::npos) << d.ToString();
  EXPECT_NE(d.message.find("NetworkPolicy shop/bad"), std::string::npos) << d.ToString();
  EXPECT_TRUE(p.cluster.policies.empty());
  ASSERT_EQ(p.cluster.workloads.size(), 1u);
  ASSERT_EQ(p.cluster.skipped.size(), 1u);
  EXPECT_NE(p.cluster.skipped[0].find("m.yaml:" + std::to_string(line)), std::string::npos);
}

// kGood is 4 lines, then "---" and the policy header: spec fields start at line 10.
TEST(Manifest, UnknownOperator) {
  ExpectBadPolicy("  podSelector: {matchExpressions: [{key: app, operator: Inn, values: [a]}]}", 10,
                  "unknown operator 'Inn'");
}

TEST(Manifest, InWithoutValues) {
  ExpectBadPolicy("  podSelector:\n    matchExpressions:\n    - {key: app, operator: In}", 12,
                  "needs a non-empty 'values'");
}

TEST(Manifest, ExistsWithValues) {
  ExpectBadPolicy(
      "  podSelector:\n    matchExpressions:\n    - {key: app, operator: Exists, values: [x]}", 12,
      "takes no 'values'");
}

TEST(Manifest, MalformedCidr) {
  ExpectBadPolicy("  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.300/8}",
                  13, "malformed cidr");
}

TEST(Manifest, CidrWithHostBits) {
  ExpectBadPolicy("  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.1/8}", 13,
                  "malformed cidr");
}

TEST(Manifest, ExceptOutsideCidr) {
  ExpectBadPolicy(
      "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock:\n        cidr: 10.0.0.0/8\n"
      "        except: [192.168.0.0/16]",
      15, "is not inside cidr");
}

TEST(Manifest, PortOutOfRange) {
  ExpectBadPolicy("  podSelector: {}\n  ingress:\n  - ports:\n    - port: 70000", 13,
                  "port 70000 is out of range");
  ExpectBadPolicy("  podSelector: {}\n  ingress:\n  - ports:\n    - port: 0", 13,
                  "port 0 is out of range");
}

TEST(Manifest, EndPortBelowPort) {
  ExpectBadPolicy("  podSelector: {}\n  ingress:\n  - ports:\n    - {port: 100, endPort: 50}", 13,
                  "endPort 50 is below port 100");
}

TEST(Manifest, EndPortWithNamedPort) {
  ExpectBadPolicy("  podSelector: {}\n  ingress:\n  - ports:\n    - {port: http, endPort: 50}", 13,
                  "endPort needs a numeric port");
}

TEST(Manifest, UnknownProtocol) {
  ExpectBadPolicy("  podSelector: {}\n  ingress:\n  - ports:\n    - {protocol: ICMP}", 13,
                  "unknown protocol 'ICMP'");
}

TEST(Manifest, IpBlockWithSelector) {
  ExpectBadPolicy(
      "  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {}\n"
      "      ipBlock: {cidr: 10.0.0.0/8}",
      14, "ipBlock cannot be combined");
}

TEST(Manifest, MissingPodSelector) {
  ExpectBadPolicy("  ingress: []", 10, "has no spec.podSelector");
}

TEST(Manifest, UnknownPolicyType) {
  ExpectBadPolicy("  podSelector: {}\n  policyTypes: [Ingres]", 11, "unknown policy type");
}

TEST(Manifest, SelectorIsNotAMapping) {
  ExpectBadPolicy("  podSelector: [app]", 10, "must be a mapping");
}

TEST(Manifest, UnknownKindIsANoteAndSkipped) {
  Parsed p =
      Parse(std::string(kGood) +
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: shop}\n");
  EXPECT_FALSE(p.diags.has_errors());
  ASSERT_EQ(p.diags.items().size(), 1u);
  EXPECT_EQ(p.diags.items()[0].severity, Severity::kNote);
  EXPECT_EQ(p.diags.items()[0].location.line, 6);
  EXPECT_NE(p.diags.items()[0].message.find("skipped ConfigMap 'web'"), std::string::npos);
  EXPECT_EQ(p.cluster.workloads.size(), 1u);
  EXPECT_EQ(p.cluster.skipped.size(), 1u);
}

TEST(Manifest, ListObjectsAreExpanded) {
  Parsed p = Parse(R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a}
  spec: {containers: [{name: c, image: x}]}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: b, namespace: x}
  spec: {template: {metadata: {labels: {app: b}}, spec: {containers: [{name: c, image: x}]}}}
)");
  EXPECT_FALSE(p.diags.has_errors()) << p.diags.ToString();
  ASSERT_EQ(p.cluster.workloads.size(), 2u);
  EXPECT_EQ(p.cluster.workloads[0].Id(), "default/a[Pod]");
  EXPECT_EQ(p.cluster.workloads[1].Id(), "x/b[Deployment]");
  EXPECT_EQ(p.cluster.workloads[1].labels.at("app"), "b");
}

TEST(Manifest, ScalarsAndJunkDocumentsAreReported) {
  Parsed p = Parse(std::string(kGood) + "---\njust a string\n---\n- a\n- list\n---\nkind: 5\n");
  // Two documents are not objects (errors); "kind: 5" is an unknown kind (a note).
  EXPECT_EQ(p.diags.error_count(), 2u) << p.diags.ToString();
  EXPECT_EQ(p.diags.items().size(), 3u) << p.diags.ToString();
  EXPECT_EQ(p.cluster.skipped.size(), 3u);
  EXPECT_EQ(p.cluster.workloads.size(), 1u);
}

TEST(Manifest, NotYamlSkipsTheFileAndKeepsTheOthers) {
  rampart::testing::TempDir dir;
  dir.Write("a-good.yaml", kGood);
  dir.Write("b-bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n");
  dir.Write("c-policy.yaml",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
            "metadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n");
  dir.Write("notes.txt", "ignored: not a manifest extension");
  Diagnostics diags;
  auto c = LoadManifests({dir.path()}, &diags);
  ASSERT_TRUE(c.has_value());
  ASSERT_EQ(diags.error_count(), 1u) << diags.ToString();
  const auto& d = diags.items()[0];
  EXPECT_NE(d.location.file.find("b-bad.yaml"), std::string::npos);
  EXPECT_GT(d.location.line, 0) << d.ToString();
  EXPECT_NE(d.message.find("not valid YAML"), std::string::npos);
  EXPECT_EQ(c->workloads.size(), 1u);
  EXPECT_EQ(c->policies.size(), 1u);
  ASSERT_EQ(c->skipped.size(), 1u);
  // The rest is analysed: the policy isolates the pod.
  Connectivity conn = Analyze(*c);
  EXPECT_TRUE(conn.Between({true, 0}, {false, 0}).empty());
}

TEST(Manifest, MissingPathIsAnError) {
  Diagnostics diags;
  auto c = LoadManifests({"/nonexistent/dir"}, &diags);
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), StatusCode::kNotFound);
}

TEST(Manifest, ContainerPortsAndDefaults) {
  Parsed p = Parse(R"(apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  template:
    metadata: {labels: {app: db}}
    spec:
      initContainers:
      - {name: init, image: x, ports: [{containerPort: 1, name: init}]}
      - {name: proxy, image: x, restartPolicy: Always, ports: [{containerPort: 15001, name: proxy}]}
      containers:
      - name: c
        image: x
        ports:
        - {containerPort: 5432, name: pg}
        - {containerPort: 53, protocol: UDP, name: dns}
        - {containerPort: 9000, protocol: SCTP}
)");
  ASSERT_FALSE(p.diags.has_errors()) << p.diags.ToString();
  ASSERT_EQ(p.cluster.workloads.size(), 1u);
  const auto& ports = p.cluster.workloads[0].ports;
  ASSERT_EQ(ports.size(), 4u);
  // Containers first, then sidecars; a plain init container serves nothing.
  EXPECT_EQ(ports[0].name, "pg");
  EXPECT_EQ(ports[0].protocol, Protocol::kTcp);
  EXPECT_EQ(ports[1].protocol, Protocol::kUdp);
  EXPECT_EQ(ports[2].protocol, Protocol::kSctp);
  EXPECT_EQ(ports[3].name, "proxy");
}

TEST(Manifest, BadContainerPortIsAnErrorButTheWorkloadStays) {
  Parsed p = Parse(R"(apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers:
  - name: c
    image: x
    ports:
    - {name: http, containerPort: 8080}
    - {name: udps, containerport: 3535, protocol: UDP}
    - {name: big, containerPort: 70000}
)");
  ASSERT_EQ(p.diags.error_count(), 2u) << p.diags.ToString();
  EXPECT_EQ(p.diags.items()[0].location.line, 10);
  EXPECT_NE(p.diags.items()[0].message.find("Pod shop/web: container port has no containerPort"),
            std::string::npos)
      << p.diags.ToString();
  EXPECT_NE(p.diags.items()[0].message.find("the port is ignored"), std::string::npos);
  EXPECT_EQ(p.diags.items()[1].location.line, 11);
  EXPECT_NE(p.diags.items()[1].message.find("containerPort 70000 is out of range"),
            std::string::npos);
  ASSERT_EQ(p.cluster.workloads.size(), 1u);
  ASSERT_EQ(p.cluster.workloads[0].ports.size(), 1u);
  EXPECT_EQ(p.cluster.workloads[0].ports[0].port, 8080);
  EXPECT_EQ(p.cluster.skipped.size(), 2u);
}

TEST(Manifest, PodsAreNamedByTheirControllingOwner) {
  Parsed p = Parse(R"(apiVersion: v1
kind: Pod
metadata:
  name: web-7d4f9c-x1
  namespace: shop
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: web-7d4f9c, controller: true}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: logs-abc
  namespace: shop
  ownerReferences:
  - {apiVersion: v1, kind: ConfigMap, name: settings}
  - {apiVersion: apps/v1, kind: DaemonSet, name: logs, controller: true}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: etcd-node1
  namespace: kube-system
  ownerReferences:
  - {apiVersion: v1, kind: Node, name: node1, controller: true}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: owned-but-not-controlled
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: other}
spec: {containers: [{name: c, image: x}]}
)");
  ASSERT_FALSE(p.diags.has_errors()) << p.diags.ToString();
  ASSERT_EQ(p.cluster.workloads.size(), 4u);
  EXPECT_EQ(p.cluster.workloads[0].Id(), "shop/web-7d4f9c[ReplicaSet]");
  EXPECT_EQ(p.cluster.workloads[0].pod, "web-7d4f9c-x1");
  EXPECT_EQ(p.cluster.workloads[1].Id(), "shop/logs[DaemonSet]");
  EXPECT_EQ(p.cluster.workloads[2].Id(), "kube-system/etcd-node1[Pod]");
  EXPECT_EQ(p.cluster.workloads[3].Id(), "default/owned-but-not-controlled[Pod]");
}

TEST(Manifest, TypedListItemsTakeTheListsKind) {
  Parsed p = Parse(R"(apiVersion: v1
kind: NamespaceList
items:
- metadata: {name: shop, labels: {team: a}}
- kind: Namespace
  metadata: {name: ops}
---
{"apiVersion": "v1", "kind": "PodList", "items": [
  {"metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
   "spec": {"containers": [{"name": "c", "image": "x"}]}}]}
---
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: DeploymentList
  items:
  - metadata: {name: api, namespace: shop}
    spec: {template: {metadata: {labels: {app: api}}, spec: {containers: []}}}
)");
  ASSERT_FALSE(p.diags.has_errors()) << p.diags.ToString();
  ASSERT_EQ(p.cluster.namespaces.size(), 2u);
  EXPECT_EQ(p.cluster.namespaces[0].labels.at("team"), "a");
  EXPECT_EQ(p.cluster.namespaces[1].name, "ops");
  ASSERT_EQ(p.cluster.workloads.size(), 2u);
  EXPECT_EQ(p.cluster.workloads[0].Id(), "shop/web[Pod]");
  EXPECT_EQ(p.cluster.workloads[1].Id(), "shop/api[Deployment]");
}

// The "Bad input" rule for Lists: an item of an unknown kind is a note naming
// its file:line, and the rest of the List is analysed.
TEST(Manifest, ListItemOfUnknownKindIsANoteAndTheRestIsRead) {
  Parsed p = Parse(R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: settings, namespace: shop}
- apiVersion: v1
  kind: Pod
  metadata: {name: web, namespace: shop}
  spec: {containers: [{name: c, image: x}]}
- apiVersion: example.com/v1
  kind: Widget
  metadata: {name: w}
- metadata: {name: no-kind}
---
apiVersion: v1
kind: SecretList
items:
- metadata: {name: a}
- metadata: {name: b}
)");
  ASSERT_EQ(p.diags.items().size(), 4u) << p.diags.ToString();
  EXPECT_EQ(p.diags.items()[0].severity, Severity::kNote);
  EXPECT_EQ(p.diags.items()[0].location.file, "m.yaml");
  EXPECT_EQ(p.diags.items()[0].location.line, 4);
  EXPECT_NE(p.diags.items()[0].message.find("skipped ConfigMap 'settings'"), std::string::npos);
  EXPECT_EQ(p.diags.items()[1].severity, Severity::kNote);
  EXPECT_EQ(p.diags.items()[1].location.line, 11);
  EXPECT_NE(p.diags.items()[1].message.find("skipped Widget 'w'"), std::string::npos);
  // An item without a kind in a plain List cannot be read: an error.
  EXPECT_EQ(p.diags.items()[2].severity, Severity::kError);
  EXPECT_EQ(p.diags.items()[2].location.line, 14);
  EXPECT_NE(p.diags.items()[2].message.find("List item has no 'kind'"), std::string::npos);
  // A typed list of a kind not read: one note for the whole list.
  EXPECT_EQ(p.diags.items()[3].severity, Severity::kNote);
  EXPECT_EQ(p.diags.items()[3].location.line, 16);
  EXPECT_NE(p.diags.items()[3].message.find("SecretList (2 item(s) of kind Secret)"),
            std::string::npos)
      << p.diags.items()[3].message;
  ASSERT_EQ(p.cluster.workloads.size(), 1u);
  EXPECT_EQ(p.cluster.workloads[0].Id(), "shop/web[Pod]");
}

TEST(Manifest, FilesWithoutKubernetesObjectsAreANote) {
  Parsed p = Parse("[{\"src\": \"a\", \"dst\": \"b\", \"conn\": \"TCP 80\"}]\n");
  EXPECT_FALSE(p.diags.has_errors()) << p.diags.ToString();
  ASSERT_EQ(p.diags.items().size(), 1u);
  EXPECT_EQ(p.diags.items()[0].code, "zones.not-manifest");
  EXPECT_EQ(p.cluster.skipped.size(), 1u);
  Parsed values = Parse("replicas: 3\nimage: {tag: v1}\n");
  EXPECT_FALSE(values.diags.has_errors());
  EXPECT_EQ(values.diags.items().size(), 1u);
  Parsed empty = Parse("# nothing\n---\n");
  EXPECT_TRUE(empty.diags.items().empty());
}

TEST(Manifest, ServicesIngressesAndRoutes) {
  Parsed p = Parse(R"(apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
  - {name: https, port: 443, targetPort: tls}
  - {port: 80, targetPort: 8080, protocol: TCP}
  - {name: dns, port: 53, protocol: UDP}
---
apiVersion: v1
kind: Service
metadata: {name: external, namespace: shop}
spec: {type: ExternalName, externalName: example.com}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
  rules:
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: https}}}}
      - {path: /r, pathType: Prefix, backend: {resource: {kind: Bucket, name: b}}}
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: old, namespace: shop}
spec:
  backend: {serviceName: web, servicePort: 443}
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: web, namespace: shop}
spec:
  to: {kind: Service, name: web}
  alternateBackends: [{kind: Service, name: web2}, {kind: Other, name: x}]
  port: {targetPort: 8443}
)");
  ASSERT_FALSE(p.diags.has_errors()) << p.diags.ToString();
  ASSERT_EQ(p.cluster.services.size(), 2u);
  const K8sService& web = p.cluster.services[0];
  ASSERT_TRUE(web.selector.has_value());
  EXPECT_EQ(web.selector->at("app"), "web");
  ASSERT_EQ(web.ports.size(), 3u);
  EXPECT_EQ(web.ports[0].target.name, "tls");
  EXPECT_EQ(web.ports[1].target.number, std::optional<std::uint16_t>(8080));
  EXPECT_TRUE(web.ports[2].target.empty());
  EXPECT_EQ(web.ports[2].protocol, Protocol::kUdp);
  EXPECT_FALSE(p.cluster.services[1].selector.has_value());
  ASSERT_EQ(p.cluster.ingresses.size(), 3u);
  const IngressObject& ing = p.cluster.ingresses[0];
  EXPECT_EQ(ing.kind, "Ingress");
  ASSERT_EQ(ing.backends.size(), 2u);
  EXPECT_EQ(ing.backends[0].port.number, std::optional<std::uint16_t>(80));
  EXPECT_EQ(ing.backends[1].port.name, "https");
  ASSERT_EQ(p.cluster.ingresses[1].backends.size(), 1u);
  EXPECT_EQ(p.cluster.ingresses[1].backends[0].port.number, std::optional<std::uint16_t>(443));
  const IngressObject& rt = p.cluster.ingresses[2];
  EXPECT_EQ(rt.kind, "Route");
  ASSERT_EQ(rt.backends.size(), 2u);
  EXPECT_EQ(rt.backends[1].service, "web2");
  EXPECT_EQ(rt.backends[1].port.number, std::optional<std::uint16_t>(8443));
}

TEST(Manifest, BadServiceAndRouteAreSkippedWithTheirLine) {
  Parsed p = Parse(R"(apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports:
  - {port: 0}
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: r, namespace: shop}
spec: {port: {targetPort: 8443}}
)");
  ASSERT_EQ(p.diags.error_count(), 2u) << p.diags.ToString();
  EXPECT_EQ(p.diags.items()[0].location.line, 6);
  EXPECT_NE(p.diags.items()[0].message.find("Service shop/web: port 0 is out of range"),
            std::string::npos)
      << p.diags.ToString();
  EXPECT_EQ(p.diags.items()[1].location.line, 11);
  EXPECT_NE(p.diags.items()[1].message.find("has no spec.to"), std::string::npos);
  EXPECT_TRUE(p.cluster.services.empty());
  EXPECT_TRUE(p.cluster.ingresses.empty());
}

TEST(Manifest, PodsOfOneOwnerAreOneWorkloadUnlessPoliciesTellThemApart) {
  auto pod = [](const std::string& name, const std::string& labels) {
    return "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name +
           "\n  namespace: shop\n  labels: " + labels +
           "\n  ownerReferences: [{kind: ReplicaSet, name: web-1, controller: true}]\n"
           "spec: {containers: [{name: c, image: x}]}\n";
  };
  const std::string policy =
      "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
      "metadata: {name: p, namespace: shop}\nspec: {podSelector: {matchLabels: {track: canary}}}\n";
  // Labels that no selector reads (pod-template-hash) do not matter.
  {
    Cluster c;
    Diagnostics d;
    ParseManifests(
        pod("web-1-a", "{app: web, hash: a}") + pod("web-1-b", "{app: web, hash: b}") + policy,
        "m.yaml", &c, &d);
    MergeOwnedPods(&c, &d);
    EXPECT_FALSE(d.has_errors()) << d.ToString();
    ASSERT_EQ(c.workloads.size(), 1u);
    EXPECT_EQ(c.workloads[0].pod, "web-1-a");
  }
  // A label a policy selects by: ambiguous, an error naming both pods.
  {
    Cluster c;
    Diagnostics d;
    ParseManifests(
        pod("web-1-a", "{app: web}") + pod("web-1-b", "{app: web, track: canary}") + policy,
        "m.yaml", &c, &d);
    MergeOwnedPods(&c, &d);
    ASSERT_EQ(d.error_count(), 1u) << d.ToString();
    const Diagnostic& e = d.items()[0];
    EXPECT_EQ(e.code, "zones.ambiguous-workload");
    EXPECT_EQ(e.location.line, 11);
    EXPECT_NE(e.message.find("Pod shop/web-1-b and Pod shop/web-1-a"), std::string::npos)
        << e.message;
    EXPECT_NE(e.message.find("policy shop/p selects pods by {track=canary}"), std::string::npos)
        << e.message;
    ASSERT_EQ(c.workloads.size(), 1u);
    EXPECT_EQ(c.workloads[0].Id(), "shop/web-1[ReplicaSet]");
  }
}

TEST(Manifest, QuotedNumberIsANamedPortAndMustBeValid) {
  ExpectBadPolicy("  podSelector: {}\n  ingress:\n  - ports:\n    - port: \"8080\"", 13,
                  "neither a number");
}

TEST(Manifest, LimitsAreEnforcedWithADiagnostic) {
  Cluster c;
  Diagnostics d;
  ManifestLimits small;
  small.max_file_bytes = 50;
  ParseManifests(kGood, "big.yaml", &c, &d, small);
  ASSERT_EQ(d.error_count(), 1u);
  EXPECT_NE(d.items()[0].message.find("larger than 50 bytes"), std::string::npos);
  EXPECT_TRUE(c.workloads.empty());

  Cluster c2;
  Diagnostics d2;
  ManifestLimits few;
  few.max_objects = 2;
  ParseManifests(std::string(kGood) + "---\n" + kGood + "---\n" + kGood, "many.yaml", &c2, &d2,
                 few);
  EXPECT_EQ(c2.workloads.size(), 2u);
  ASSERT_EQ(d2.error_count(), 1u) << d2.ToString();
  EXPECT_NE(d2.items()[0].message.find("more than 2 objects"), std::string::npos);
  EXPECT_EQ(d2.items()[0].location.line, 11);
}

TEST(Manifest, LabelSelectorSemantics) {
  LabelSelector s;
  EXPECT_TRUE(s.Matches({}));
  s.match_labels["app"] = "a";
  EXPECT_TRUE(s.Matches({{"app", "a"}, {"x", "y"}}));
  EXPECT_FALSE(s.Matches({{"app", "b"}}));
  s.match_expressions.push_back({"tier", LabelRequirement::Op::kNotIn, {"db"}});
  EXPECT_TRUE(s.Matches({{"app", "a"}}));
  EXPECT_FALSE(s.Matches({{"app", "a"}, {"tier", "db"}}));
  EXPECT_EQ(s.ToString(), "{app=a, tier notin (db)}");
}

}  // namespace
}  // namespace rampart::zones
