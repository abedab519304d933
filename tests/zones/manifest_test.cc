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
  Parsed p = Parse(std::string(kGood) +
                   "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n");
  EXPECT_FALSE(p.diags.has_errors());
  ASSERT_EQ(p.diags.items().size(), 1u);
  EXPECT_EQ(p.diags.items()[0].severity, Severity::kNote);
  EXPECT_EQ(p.diags.items()[0].location.line, 6);
  EXPECT_NE(p.diags.items()[0].message.find("skipped Service 'web'"), std::string::npos);
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
      initContainers: [{name: init, image: x, ports: [{containerPort: 1, name: init}]}]
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
  // Containers first, then init containers.
  EXPECT_EQ(ports[0].name, "pg");
  EXPECT_EQ(ports[0].protocol, Protocol::kTcp);
  EXPECT_EQ(ports[1].protocol, Protocol::kUdp);
  EXPECT_EQ(ports[2].protocol, Protocol::kSctp);
  EXPECT_EQ(ports[3].name, "init");
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
