// The estate side: nftables / NetworkPolicy / Cilium compilation, the
// invariant checks, lateral paths and the semantic diff.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "core/file.h"
#include "core/yaml.h"
#include "estate/loader.h"
#include "testing/testing.h"
#include "zones/analyze.h"
#include "zones/check.h"
#include "zones/diff.h"
#include "zones/estate_model.h"
#include "zones/k8s_compile.h"
#include "zones/lateral.h"
#include "zones/nft.h"

namespace rampart::zones {
namespace {

using rampart::testing::SourceDir;

estate::Estate Load(const std::string& name) {
  auto e = estate::LoadValid({SourceDir() / "examples" / name});
  EXPECT_TRUE(e.has_value()) << e.error().message();
  return e.has_value() ? std::move(*e) : estate::Estate{};
}

estate::Estate LoadText(const std::string& text) {
  auto r = estate::LoadString(text, "test.yaml");
  EXPECT_TRUE(r.has_value()) << r.error().message();
  if (!r.has_value()) return estate::Estate{};
  EXPECT_FALSE(r->diagnostics.has_errors()) << r->diagnostics.ToString();
  return std::move(r->estate);
}

std::string ExampleText(const std::string& name) {
  auto t = ReadFile(SourceDir() / "examples" / name);
  EXPECT_TRUE(t.has_value());
  return *t;
}

// ---- nftables ---------------------------------------------------------------

TEST(CompileNft, DeterministicAndStructured) {
  estate::Estate e1 = Load("estate.yaml"), e2 = Load("estate.yaml");
  Diagnostics d1, d2;
  EstateModel m1 = BuildEstateModel(e1, &d1), m2 = BuildEstateModel(e2, &d2);
  EXPECT_FALSE(d1.has_errors()) << d1.ToString();
  NftStats st;
  std::string a = CompileNft(m1, &st), b = CompileNft(m2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a.find("table inet rampart {"), std::string::npos);
  EXPECT_NE(a.find("type filter hook forward priority filter; policy drop;"), std::string::npos);
  EXPECT_NE(a.find("ct state established,related accept"), std::string::npos);
  EXPECT_NE(a.find("ip saddr . ip daddr vmap @zone_pairs"), std::string::npos);
  for (const char* z : {"corp", "ingestion", "training", "inference", "mlops", "internet"}) {
    EXPECT_NE(a.find(std::string("set zone_") + z + " {"), std::string::npos) << z;
  }
  // Every accepting rule but the conntrack one counts and names its flow.
  std::set<std::string> commented;
  std::size_t accepts = 0;
  std::regex flow_re("counter accept comment \"flow ([a-z0-9-]+)\"$");
  std::size_t pos = 0;
  while (pos < a.size()) {
    std::size_t end = a.find('\n', pos);
    std::string line = a.substr(pos, end - pos);
    pos = end + 1;
    if (line.starts_with("#") || line.find(" accept") == std::string::npos ||
        line.find("ct state") != std::string::npos) {
      continue;
    }
    ++accepts;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(line, m, flow_re)) << line;
    commented.insert(m[1]);
  }
  EXPECT_EQ(accepts, st.rules);
  EXPECT_EQ(accepts, e1.flows.size());  // every example flow is single-protocol
  for (const auto& f : e1.flows) EXPECT_TRUE(commented.contains(f.name)) << f.name;
  // The internet zone is the complement of the estate's zones.
  EXPECT_TRUE(m1.zone_addresses.at("internet").Contains(0x08080808));
  EXPECT_FALSE(m1.zone_addresses.at("internet").Contains(0x0a140001));
}

TEST(CompileNft, RulesGrowWithFlowsAndProtocolsElementsWithEndpoints) {
  // A ring of Z zones, each with one service of P ports reached from the
  // previous zone's service on all of them, over TCP and UDP.
  auto make = [](int zones, int ports) {
    std::string t = "version: 1\nname: ring\nzones:\n";
    for (int z = 0; z < zones; ++z) {
      t += "  - {name: z" + std::to_string(z) + ", kind: other, cidrs: [10." + std::to_string(z) +
           ".0.0/16, 11." + std::to_string(z) + ".0.0/16]}\n";
    }
    t += "services:\n";
    for (int z = 0; z < zones; ++z) {
      t += "  - {name: s" + std::to_string(z) + ", zone: z" + std::to_string(z) +
           ", kind: other, addresses: [10." + std::to_string(z) + ".0.1/32], ports: [";
      for (int p = 0; p < ports; ++p) {
        t += std::string(p ? ", " : "") + "tcp/" + std::to_string(1000 + 2 * p) + ", udp/" +
             std::to_string(1000 + 2 * p);
      }
      t += "]}\n";
    }
    t += "flows:\n";
    for (int z = 0; z < zones; ++z) {
      t += "  - {from: s" + std::to_string(z) + ", to: s" + std::to_string((z + 1) % zones) + "}\n";
    }
    return t;
  };
  for (int zones : {2, 4, 8}) {
    for (int ports : {1, 3}) {
      estate::Estate e = LoadText(make(zones, ports));
      Diagnostics d;
      NftStats st;
      std::string text = CompileNft(BuildEstateModel(e, &d), &st);
      EXPECT_FALSE(d.has_errors());
      EXPECT_EQ(st.rules, static_cast<std::size_t>(zones) * 2) << zones << "x" << ports;
      EXPECT_EQ(st.chains, static_cast<std::size_t>(zones));
      // Each zone pair with a flow: 2 x 2 CIDR combinations.
      EXPECT_EQ(st.map_elements, static_cast<std::size_t>(zones) * 4);
      EXPECT_EQ(st.set_elements, static_cast<std::size_t>(zones) * 2);
      EXPECT_NE(text.find(ports > 1 ? "udp dport { 1000, 1002, 1004 }" : "udp dport 1000"),
                std::string::npos);
    }
  }
}

TEST(CompileNft, UnaddressableZoneIsAnErrorAndTheFlowStaysDenied) {
  estate::Estate e = LoadText(R"(version: 1
name: t
zones:
  - {name: a, kind: other, cidrs: [10.0.0.0/24]}
  - {name: cloud, kind: other}
services:
  - {name: s, zone: a, kind: other, ports: [tcp/80], addresses: [10.0.0.1/32]}
flows:
  - {name: in, from: cloud, to: s}
)");
  Diagnostics d;
  EstateModel m = BuildEstateModel(e, &d);
  ASSERT_EQ(d.error_count(), 1u);
  EXPECT_NE(d.items()[0].message.find("endpoint 'cloud' has no IPv4 address"), std::string::npos);
  EXPECT_EQ(d.items()[0].location.line, 9);
  EXPECT_TRUE(m.rules.empty());
  EXPECT_EQ(CompileNft(m).find("comment \"flow in\""), std::string::npos);
}

// ---- Kubernetes ---------------------------------------------------------------

// Deployments for the estate's Kubernetes services (with their ports named),
// plus kube-dns.
Cluster WorkloadsFor(const estate::Estate& e) {
  Cluster c;
  for (const auto& s : e.services) {
    if (s.kubernetes.namespaces.empty()) continue;
    Workload w;
    w.ns = s.kubernetes.namespaces[0];
    w.name = s.name;
    w.kind = "Deployment";
    for (const auto& [k, v] : s.kubernetes.pod_labels) w.labels[k] = v;
    c.workloads.push_back(w);
  }
  Workload dns;
  dns.ns = "kube-system";
  dns.name = "coredns";
  dns.kind = "Deployment";
  dns.labels["k8s-app"] = "kube-dns";
  c.workloads.push_back(dns);
  return c;
}

TEST(CompileK8s, DeterministicWithDefaultDenyDnsAndEndPort) {
  estate::Estate e1 = Load("estate.yaml"), e2 = Load("estate.yaml");
  Diagnostics d1, d2;
  std::string a = CompileNetworkPolicies(e1, &d1), b = CompileNetworkPolicies(e2, &d2);
  EXPECT_EQ(a, b);
  EXPECT_FALSE(d1.has_errors()) << d1.ToString();
  auto docs = ParseYamlAll(a, "np.yaml");
  ASSERT_TRUE(docs.has_value()) << docs.error().message();
  std::map<std::string, std::set<std::string>> names;  // ns -> policy names
  for (const auto& d : *docs) {
    if (!d.IsMap()) continue;
    EXPECT_EQ(d["kind"].Scalar(), "NetworkPolicy");
    names[d["metadata"]["namespace"].Scalar()].insert(d["metadata"]["name"].Scalar());
  }
  for (const char* ns : {"ingestion", "training", "inference", "mlops"}) {
    EXPECT_TRUE(names[ns].contains("rampart-default-deny")) << ns;
    EXPECT_TRUE(names[ns].contains("rampart-allow-dns")) << ns;  // every zone says dns: true
  }
  EXPECT_TRUE(names["training"].contains("rampart-nccl-ingress"));
  EXPECT_TRUE(names["training"].contains("rampart-nccl-egress"));
  EXPECT_NE(a.find("      port: 29500\n      endPort: 29600\n"), std::string::npos);
}

TEST(CompileK8s, AnalyzedPoliciesReproduceTheEstateFlows) {
  estate::Estate e = Load("estate.yaml");
  Diagnostics diags;
  std::string np = CompileNetworkPolicies(e, &diags);
  Cluster cluster = WorkloadsFor(e);
  ParseManifests(np, "np.yaml", &cluster, &diags);
  ASSERT_FALSE(diags.has_errors()) << diags.ToString();
  CompleteNamespaces(&cluster);
  Connectivity conn = Analyze(cluster);
  auto in_zone_or_is = [&](const estate::Flow& f, bool from, const estate::Service& s) {
    const std::string& ep = from ? f.from : f.to;
    auto kind = from ? f.from_kind : f.to_kind;
    return ep == s.name || (kind == estate::EndpointKind::kZone && ep == s.zone);
  };
  int checked = 0;
  for (std::size_t i = 0; i < conn.workloads().size(); ++i) {
    for (std::size_t j = 0; j < conn.workloads().size(); ++j) {
      if (i == j) continue;
      const auto* src = e.FindService(conn.workloads()[i]->name);
      const auto* dst = e.FindService(conn.workloads()[j]->name);
      ConnSet want;
      if (src && dst) {
        for (const auto& f : e.flows) {
          if (in_zone_or_is(f, true, *src) && in_zone_or_is(f, false, *dst)) {
            for (const auto& p : f.ports) want.Add(p.protocol, p.first, p.last);
          }
        }
      } else if (src && !dst) {  // to kube-dns: every zone of the example says dns: true
        want.Add(Protocol::kUdp, 53, 53);
        want.Add(Protocol::kTcp, 53, 53);
      } else {
        continue;  // kube-system has no policies: not the compiler's output
      }
      EXPECT_EQ(conn.Between({false, static_cast<int>(i)}, {false, static_cast<int>(j)}), want)
          << conn.workloads()[i]->Id() << " -> " << conn.workloads()[j]->Id();
      ++checked;
    }
  }
  EXPECT_EQ(checked, 11 * 11);
  // Outside Kubernetes: the internet reaches only the gateway, corp reaches
  // labeling and the orchestrator.
  auto peer = [&](const std::string& n) { return *conn.FindPeer(n); };
  EXPECT_EQ(conn.Between(peer("8.8.8.8"), peer("inference/gateway")).ToString(), "TCP 8443");
  EXPECT_TRUE(conn.Between(peer("8.8.8.8"), peer("inference/vllm")).empty());
  EXPECT_TRUE(conn.Between(peer("10.20.0.5"), peer("inference/gateway")).empty())
      << "estate addresses are not the internet";
  EXPECT_EQ(conn.Between(peer("172.16.4.4"), peer("ingestion/labeling")).ToString(), "TCP 8443");
  EXPECT_EQ(conn.Between(peer("172.16.4.4"), peer("mlops/orchestrator")).ToString(), "TCP 8888");
  EXPECT_TRUE(conn.Between(peer("inference/vllm"), peer("8.8.8.8")).empty());
}

TEST(CompileCilium, DeterministicAndShaped) {
  estate::Estate e1 = Load("estate.yaml"), e2 = Load("estate.yaml");
  Diagnostics d1, d2;
  std::string a = CompileCilium(e1, &d1), b = CompileCilium(e2, &d2);
  EXPECT_EQ(a, b);
  auto docs = ParseYamlAll(a, "cilium.yaml");
  ASSERT_TRUE(docs.has_value()) << docs.error().message();
  int deny = 0, ingress = 0, egress = 0;
  for (const auto& d : *docs) {
    if (!d.IsMap()) continue;
    EXPECT_EQ(d["apiVersion"].Scalar(), "cilium.io/v2");
    EXPECT_EQ(d["kind"].Scalar(), "CiliumNetworkPolicy");
    std::string name = d["metadata"]["name"].Scalar();
    if (name == "rampart-default-deny") {
      ++deny;
      EXPECT_TRUE(d["spec"]["ingress"][0].IsMap() && d["spec"]["ingress"][0].size() == 0);
    }
    if (name.ends_with("-ingress")) ++ingress;
    if (name.ends_with("-egress")) ++egress;
  }
  EXPECT_EQ(deny, 4);
  EXPECT_GT(ingress, 10);
  EXPECT_GT(egress, 10);
  EXPECT_NE(a.find("k8s:io.kubernetes.pod.namespace: training"), std::string::npos);
  EXPECT_NE(a.find("endPort: 29600"), std::string::npos);
  // The internet: everything but the estate's own ranges.
  EXPECT_NE(a.find("fromCIDRSet:\n    - cidr: 0.0.0.0/0\n      except:\n      - 10.10.0.0/16"),
            std::string::npos);
}

// ---- invariants ---------------------------------------------------------------

std::set<std::string> Codes(const std::vector<Finding>& fs) {
  std::set<std::string> out;
  for (const auto& f : fs) out.insert(f.code);
  return out;
}

TEST(CheckInvariants, ExampleEstateIsClean) {
  auto findings = CheckInvariants(Load("estate.yaml"));
  for (const auto& f : findings) ADD_FAILURE() << f.code << ": " << f.message;
}

TEST(CheckInvariants, FlatNetworkHasEveryMistake) {
  estate::Estate e = Load("flat-network.yaml");
  auto findings = CheckInvariants(e);
  EXPECT_EQ(Codes(findings),
            (std::set<std::string>{"zones.training-exposed", "zones.dmz-to-training",
                                   "zones.dmz-to-datastore", "zones.storage-exposed",
                                   "zones.ingestion-identity", "zones.gpu-access",
                                   "zones.flat-network", "zones.training-routable"}));
  std::map<std::string, std::set<std::string>> flows;
  for (const auto& f : findings) {
    EXPECT_TRUE(f.where.known()) << f.message;
    EXPECT_FALSE(f.hint.empty());
    for (const auto& fl : f.flows) flows[f.code].insert(fl);
  }
  EXPECT_EQ(flows["zones.gpu-access"],
            (std::set<std::string>{"gateway-to-gpus", "scientists-gpus"}));
  EXPECT_EQ(flows["zones.ingestion-identity"],
            (std::set<std::string>{"public-bucket", "scientists-bucket"}));
  EXPECT_EQ(flows["zones.dmz-to-training"],
            (std::set<std::string>{"vllm-reads-training", "gateway-to-gpus"}));
  EXPECT_EQ(flows["zones.dmz-to-datastore"], (std::set<std::string>{"triton-reads-raw"}));
  EXPECT_EQ(flows["zones.storage-exposed"],
            (std::set<std::string>{"public-bucket", "public-nfs", "scientists-bucket"}));
  // The multi-hop one: internet -> gateway -> gpu-pool.
  bool found = false;
  for (const auto& f : findings) {
    if (f.code == "zones.training-exposed" && f.message.find("'gpu-pool'") != std::string::npos) {
      ASSERT_EQ(f.path.size(), 2u);
      EXPECT_EQ(f.path[0].from, "internet");
      EXPECT_EQ(f.path[0].to, "gateway");
      EXPECT_EQ(f.path[1].to, "gpu-pool");
      EXPECT_EQ(f.path[1].rule, "flow gateway-to-gpus tcp/6818");
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

// The example estate plus one extra flow line: exactly the named findings.
// The example estate with one more flow, inserted at the top of its flows
// list (pillar sections may follow the list).
std::string ExampleWithFlow(const std::string& flow) {
  std::string text = ExampleText("estate.yaml");
  auto pos = text.find("\nflows:\n");
  EXPECT_NE(pos, std::string::npos);
  if (pos != std::string::npos) text.insert(pos + 8, flow);
  return text;
}

std::set<std::string> CodesWith(const std::string& flow) {
  return Codes(CheckInvariants(LoadText(ExampleWithFlow(flow))));
}

TEST(CheckInvariants, EachMistakeAloneIsFound) {
  EXPECT_EQ(CodesWith("  - {name: x, from: vllm, to: training-storage, identity: vllm-sa}\n"),
            (std::set<std::string>{"zones.dmz-to-training", "zones.training-exposed"}));
  EXPECT_EQ(CodesWith("  - {name: x, from: triton, to: raw-bucket, identity: triton-sa}\n"),
            (std::set<std::string>{"zones.dmz-to-datastore"}));
  EXPECT_EQ(CodesWith("  - {name: x, from: corp, to: raw-bucket, identity: data-scientists}\n"),
            (std::set<std::string>{"zones.storage-exposed", "zones.ingestion-identity"}));
  EXPECT_EQ(CodesWith("  - {name: x, from: etl, to: raw-bucket}\n"),
            (std::set<std::string>{"zones.ingestion-identity"}));
  EXPECT_EQ(CodesWith("  - {name: x, from: etl, to: gpu-pool, ports: [tcp/6818]}\n"),
            (std::set<std::string>{"zones.gpu-access"}));
  // The registry, which the DMZ may reach, now reaches the GPUs: the DMZ and
  // the internet reach the training plane in several hops, and through the
  // GPU pool's own flows a data store too.
  auto findings = CheckInvariants(
      LoadText(ExampleWithFlow(
          "  - {name: x, from: model-registry, to: gpu-pool, ports: [tcp/6818]}\n")));
  EXPECT_EQ(Codes(findings),
            (std::set<std::string>{"zones.gpu-access", "zones.dmz-to-training",
                                   "zones.training-exposed", "zones.dmz-to-datastore"}));
  for (const auto& f : findings) {
    if (f.code == "zones.dmz-to-training" && f.message.find("'gpu-pool'") != std::string::npos) {
      ASSERT_EQ(f.path.size(), 2u);
      EXPECT_EQ(f.path[0].from, "triton");
      EXPECT_EQ(f.path[0].to, "model-registry");
      EXPECT_EQ(f.path[1].rule, "flow x tcp/6818");
      EXPECT_EQ(f.flows, (std::vector<std::string>{"triton-model-pull", "x"}));
    }
    if (f.code == "zones.dmz-to-datastore") {
      EXPECT_EQ(f.path.size(), 3u) << f.message;  // ... -> gpu-pool -> raw-bucket
    }
  }
}

TEST(CheckInvariants, RoutableTrainingZoneAndFlatZone) {
  std::string text = ExampleText("estate.yaml");
  std::string routable = text;
  routable.replace(routable.find("    routable: false"), 19, "    routable: true");
  EXPECT_EQ(Codes(CheckInvariants(LoadText(routable))),
            (std::set<std::string>{"zones.training-routable"}));
  // A crown jewel moved next to the internet-facing gateway.
  std::string flat = text;
  auto pos = flat.find("  - name: production-weights");
  pos = flat.find("    zone: mlops", pos);
  flat.replace(pos, 15, "    zone: inference");
  pos = flat.find("    service: model-registry", pos);
  flat.replace(pos, 27, "    service: vllm");
  EXPECT_TRUE(Codes(CheckInvariants(LoadText(flat))).contains("zones.flat-network"));
}

// ---- lateral paths -------------------------------------------------------------

TEST(LateralPaths, ExampleEstateReachesTheRegistryInThreeHops) {
  estate::Estate e = Load("estate.yaml");
  EstateGraph g(e);
  std::vector<int> targets;
  for (const auto& [n, note] : g.CrownJewels()) targets.push_back(n);
  auto paths = ShortestPaths(g, g.Exposed(), targets, 100);
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(paths[0].ToString(),
            "internet -[exposure: internet; flow public-inference tcp/8443]-> gateway "
            "-[flow gateway-to-triton tcp/8000]-> triton -[flow triton-model-pull tcp/8080]-> "
            "model-registry");
}

TEST(LateralPaths, FlatNetworkShortestFirst) {
  estate::Estate e = Load("flat-network.yaml");
  EstateGraph g(e);
  std::vector<int> targets;
  for (const auto& [n, note] : g.CrownJewels()) targets.push_back(n);
  auto paths = ShortestPaths(g, g.Exposed(), targets, 100);
  ASSERT_EQ(paths.size(), 3u);
  EXPECT_EQ(paths[0].hops.size(), 1u);
  EXPECT_EQ(paths[0].target, "raw-bucket");
  EXPECT_EQ(paths[1].target, "training-storage");
  EXPECT_EQ(paths[2].hops.size(), 3u);
  EXPECT_EQ(paths[2].target, "model-registry");
}

TEST(LateralPaths, ClusterGraphFollowsClassesAcrossHops) {
  Cluster c;
  Diagnostics d;
  ParseManifests(R"(
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: app, labels: {app: web, rampart.io/exposure: internet}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: app, labels: {app: api}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: data, labels: {app: db, rampart.io/crown-jewel: "true"}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: data}
spec:
  podSelector: {}
  ingress:
  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: api}}}]
    ports: [{port: 5432}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-in, namespace: app}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 8080}]
)",
                 "m.yaml", &c, &d);
  ASSERT_FALSE(d.has_errors()) << d.ToString();
  CompleteNamespaces(&c);
  Connectivity conn = Analyze(c);
  ClusterGraph g(conn);
  auto paths = ShortestPaths(g, g.Exposed(), g.CrownJewels(), 10);
  ASSERT_FALSE(paths.empty());
  // The labelled web pod: web -> api -> db, two hops.
  bool found = false;
  for (const auto& p : paths) {
    if (p.source != "app/web[Pod]") continue;
    found = true;
    ASSERT_EQ(p.hops.size(), 2u);
    EXPECT_EQ(p.hops[0].to, "app/api[Pod]");
    EXPECT_EQ(p.hops[0].rule, "TCP 8080 via ingress app/api-in");
    EXPECT_EQ(p.hops[1].to, "data/db[Pod]");
    EXPECT_EQ(p.hops[1].rule, "TCP 5432 via ingress data/deny");
  }
  EXPECT_TRUE(found);
  // The internet ranges reach web and api directly (no policy isolates web),
  // so the shortest path from the internet is two hops too.
  EXPECT_EQ(paths.front().hops.size(), 2u);
}

// ---- diff -------------------------------------------------------------------

TEST(Diff, EstatesByEndpointPair) {
  auto entries = DiffEstates(Load("estate.yaml"), Load("flat-network.yaml"));
  std::vector<std::string> lines;
  for (const auto& d : entries) lines.push_back(d.ToString());
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "diff-type: added, source: corp, destination: gpu-pool, dir1: No "
                       "Connections, dir2: TCP 6818",
                       "diff-type: added, source: corp, destination: raw-bucket, dir1: No "
                       "Connections, dir2: TCP 9000",
                       "diff-type: added, source: gateway, destination: gpu-pool, dir1: No "
                       "Connections, dir2: TCP 6818",
                       "diff-type: added, source: internet, destination: raw-bucket, dir1: No "
                       "Connections, dir2: TCP 9000",
                       "diff-type: added, source: internet, destination: training-storage, "
                       "dir1: No Connections, dir2: TCP 2049",
                       "diff-type: added, source: triton, destination: raw-bucket, dir1: No "
                       "Connections, dir2: TCP 9000",
                       "diff-type: added, source: vllm, destination: training-storage, dir1: No "
                       "Connections, dir2: TCP 2049"}));
}

Cluster ParseCluster(const std::string& text) {
  Cluster c;
  Diagnostics d;
  ParseManifests(text, "m.yaml", &c, &d);
  EXPECT_FALSE(d.has_errors()) << d.ToString();
  CompleteNamespaces(&c);
  return c;
}

const char* kPods = R"(
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: n, labels: {app: a}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: n, labels: {app: b}}
spec: {containers: [{name: c, image: x}]}
)";

TEST(Diff, ConnectivityChangedAddedRemoved) {
  Cluster a = ParseCluster(std::string(kPods) + R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-in, namespace: n}
spec:
  podSelector: {matchLabels: {app: a}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: b}}}]
    ports: [{port: 80}]
)");
  // B: the same allow written differently plus UDP 53, and a new pod c.
  Cluster b = ParseCluster(std::string(kPods) + R"(---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: n, labels: {app: c}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: renamed, namespace: n}
spec:
  podSelector: {matchExpressions: [{key: app, operator: In, values: [a]}]}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: b}}}]
    ports: [{port: 80, protocol: TCP}, {port: 53, protocol: UDP}]
)");
  Connectivity ca = Analyze(a), cb = Analyze(b);
  std::vector<std::string> lines;
  for (const auto& d : DiffConnectivity(ca, cb)) lines.push_back(d.ToString());
  EXPECT_EQ(lines,
            (std::vector<std::string>{
                "diff-type: added, source: 0.0.0.0-255.255.255.255, destination: n/c[Pod], dir1: "
                "No Connections, dir2: All Connections, workloads-diff-info: destination workload "
                "added",
                "diff-type: added, source: n/a[Pod], destination: n/c[Pod], dir1: No Connections, "
                "dir2: All Connections, workloads-diff-info: destination workload added",
                "diff-type: changed, source: n/b[Pod], destination: n/a[Pod], dir1: TCP 80, dir2: "
                "TCP 80,UDP 53",
                "diff-type: added, source: n/b[Pod], destination: n/c[Pod], dir1: No Connections, "
                "dir2: All Connections, workloads-diff-info: destination workload added",
                "diff-type: added, source: n/c[Pod], destination: 0.0.0.0-255.255.255.255, dir1: "
                "No Connections, dir2: All Connections, workloads-diff-info: source workload added",
                "diff-type: added, source: n/c[Pod], destination: n/b[Pod], dir1: No Connections, "
                "dir2: All Connections, workloads-diff-info: source workload added",
            }));
  // Equal semantics, different text: no diff.
  EXPECT_TRUE(DiffConnectivity(ca, Analyze(a)).empty());
}

}  // namespace
}  // namespace rampart::zones
