// `rampart zones ...` as a user runs it: the real binary, real nft.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/file.h"
#include "core/json.h"
#include "testing/testing.h"

namespace rampart {
namespace {

using testing::RunRampart;
using testing::SourceDir;
using testing::TempDir;

std::string Example(const char* name) { return (SourceDir() / "examples" / name).string(); }

const char* kManifests = R"(apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {tier: front}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web, rampart.io/exposure: internet}}
    spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db, rampart.io/crown-jewel: "true"}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-in, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 5432}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-in, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]
    ports: [{port: http}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web, namespace: shop}
)";

bool HaveNetns() {
  return geteuid() == 0 &&
         testing::Run({"sh", "-c", "command -v nft && command -v unshare"}).exit_code == 0;
}

TEST(ZonesCli, CompileIsDeterministicForEveryTarget) {
  for (const char* target : {"nft", "k8s", "cilium"}) {
    auto a = RunRampart({"zones", "compile", Example("estate.yaml"), "--target", target});
    auto b = RunRampart({"zones", "compile", Example("estate.yaml"), "--target", target});
    EXPECT_EQ(a.exit_code, 0) << target << a.err;
    EXPECT_FALSE(a.out.empty());
    EXPECT_EQ(a.out, b.out) << target;
  }
}

TEST(ZonesCli, CompileToFileAndRefuseABrokenEstate) {
  TempDir dir;
  auto out = dir / "rules.nft";
  auto r = RunRampart({"zones", "compile", Example("estate.yaml"), "-o", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  auto text = ReadFile(out);
  ASSERT_TRUE(text.has_value());
  EXPECT_NE(text->find("table inet rampart {"), std::string::npos);

  auto bad = dir.Write("bad.yaml", "version: 1\nname: x\nzones:\n  - {name: a, kind: nope}\n");
  auto out2 = dir / "never.nft";
  r = RunRampart({"zones", "compile", bad.string(), "-o", out2.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.yaml:4"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out2));

  r = RunRampart({"zones", "compile", (dir / "missing.yaml").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.yaml"), std::string::npos) << r.err;
}

TEST(ZonesCli, NftAcceptsTheRulesetAndApplyReplacesItAtomically) {
  RAMPART_NEEDS(HaveNetns(), "root, nft and unshare");
  TempDir dir;
  auto rules = dir / "rules.nft";
  ASSERT_EQ(
      RunRampart({"zones", "compile", Example("estate.yaml"), "-o", rules.string()}).exit_code, 0);
  // A private network namespace: the host's ruleset is never touched.
  auto r = testing::Run({"unshare", "--net", "nft", "-c", "-f", rules.string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string bin = testing::RampartBin();
  r = testing::Run({"unshare", "--net", "sh", "-c",
                    bin + " zones apply " + Example("estate.yaml") + " && " + bin +
                        " zones compile --apply " + Example("flat-network.yaml") +
                        " && nft list tables && nft list table inet rampart"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // Applied twice: still one table, now holding the second estate's flows.
  std::size_t tables = 0;
  for (std::size_t p = r.out.find("table inet rampart"); p != std::string::npos;
       p = r.out.find("table inet rampart", p + 1)) {
    ++tables;
  }
  EXPECT_EQ(tables, 2u) << r.out;  // "nft list tables" line + the listing
  EXPECT_NE(r.out.find("comment \"flow public-nfs\""), std::string::npos);
  EXPECT_NE(r.out.find("counter packets 0 bytes 0"), std::string::npos);
  EXPECT_NE(r.err.find("loaded table inet rampart"), std::string::npos);
}

TEST(ZonesCli, CheckFindingsInTextJsonAndSarif) {
  auto ok = RunRampart({"zones", "check", Example("estate.yaml")});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("zones OK"), std::string::npos);

  auto flat = RunRampart({"zones", "check", Example("flat-network.yaml")});
  EXPECT_EQ(flat.exit_code, 1);
  EXPECT_NE(flat.out.find("flat-network.yaml:270:5: error: GPU nodes 'gpu-pool' are reached by "
                          "'gateway'"),
            std::string::npos)
      << flat.out;
  EXPECT_NE(flat.out.find("  flows: gateway-to-gpus"), std::string::npos);

  auto js = RunRampart({"zones", "check", Example("flat-network.yaml"), "--format", "json"});
  EXPECT_EQ(js.exit_code, 1);
  auto v = ParseJson(js.out);
  ASSERT_TRUE(v.has_value()) << js.out;
  EXPECT_FALSE(v->as_object().at("ok").as_bool());
  EXPECT_EQ(v->as_object().at("findings").as_array().size(), 17u);

  auto sarif = RunRampart({"zones", "check", Example("flat-network.yaml"), "--format", "sarif"});
  auto s = ParseJson(sarif.out);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->as_object().at("version").as_string(), "2.1.0");
  const auto& run = s->as_object().at("runs").as_array()[0].as_object();
  EXPECT_EQ(run.at("results").as_array().size(), 17u);
}

TEST(ZonesCli, AnalyzeListsConnectivityAndReportsWhatWasSkipped) {
  TempDir dir;
  dir.Write("manifests/app.yaml", kManifests);
  dir.Write("manifests/broken.yaml", "kind: Pod\nmetadata: {name: [x\n");
  auto r = RunRampart({"zones", "analyze", (dir / "manifests").string()});
  EXPECT_EQ(r.exit_code, 2) << "an unreadable file makes the answer incomplete";
  EXPECT_EQ(r.out,
            "0.0.0.0-9.255.255.255[External] => shop/web[Deployment] : TCP 8080\n"
            "11.0.0.0-255.255.255.255[External] => shop/web[Deployment] : TCP 8080\n"
            "shop/db[StatefulSet] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
            "shop/web[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
            "shop/web[Deployment] => shop/db[StatefulSet] : TCP 5432\n");
  EXPECT_NE(r.err.find("broken.yaml:3:1: error: not valid YAML"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("app.yaml:39:1: note: skipped ConfigMap 'web'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 object(s) or file(s) skipped"), std::string::npos) << r.err;

  auto js =
      RunRampart({"zones", "analyze", (dir / "manifests/app.yaml").string(), "--format", "json"});
  EXPECT_EQ(js.exit_code, 0) << js.err;
  auto v = ParseJson(js.out);
  ASSERT_TRUE(v.has_value()) << js.out;
  EXPECT_EQ(v->as_object().at("skipped").as_array().size(), 1u);
  const auto& first = v->as_object().at("connections").as_array()[0].as_object();
  EXPECT_EQ(first.at("src").as_string(), "0.0.0.0-9.255.255.255[External]");
  EXPECT_EQ(first.at("conn").as_string(), "TCP 8080");

  auto dot =
      RunRampart({"zones", "analyze", (dir / "manifests/app.yaml").string(), "--format", "dot"});
  EXPECT_EQ(dot.out.rfind("digraph {\n", 0), 0u);
  EXPECT_NE(
      dot.out.find("\"shop/web[Deployment]\" -> \"shop/db[StatefulSet]\" [label=\"TCP 5432\""),
      std::string::npos)
      << dot.out;

  auto ex = RunRampart({"zones", "analyze", (dir / "manifests/app.yaml").string(), "--explain",
                        "shop/web", "shop/db"});
  EXPECT_EQ(ex.exit_code, 0);
  EXPECT_NE(ex.out.find("policy shop/db-in ingress rule 1"), std::string::npos) << ex.out;
  EXPECT_NE(ex.out.find("result: shop/web[Deployment] => shop/db[StatefulSet] : TCP 5432"),
            std::string::npos);
  auto unknown = RunRampart({"zones", "analyze", (dir / "manifests/app.yaml").string(), "--explain",
                             "shop/nope", "shop/db"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown peer 'shop/nope'"), std::string::npos);
}

TEST(ZonesCli, PathsForEstatesAndManifests) {
  auto r = RunRampart(
      {"zones", "paths", Example("estate.yaml"), "--from", "exposed", "--to", "crown-jewels"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out,
            "3 hop(s): internet -> model-registry (crown jewels: production-weights, "
            "registry-signing-key)\n"
            "  internet -> gateway  [exposure: internet; flow public-inference tcp/8443]\n"
            "  gateway -> triton  [flow gateway-to-triton tcp/8000]\n"
            "  triton -> model-registry  [flow triton-model-pull tcp/8080]\n"
            "1 lateral path(s)\n");
  TempDir dir;
  auto m = dir.Write("app.yaml", kManifests);
  r = RunRampart({"zones", "paths", m.string(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto v = ParseJson(r.out);
  ASSERT_TRUE(v.has_value()) << r.out;
  const auto& paths = v->as_object().at("paths").as_array();
  ASSERT_FALSE(paths.empty());
  // Shortest first: the exposed web pod, then the internet ranges through it.
  ASSERT_EQ(paths.size(), 3u);
  const auto& p0 = paths[0].as_object();
  EXPECT_EQ(p0.at("source").as_string(), "shop/web[Deployment]");
  EXPECT_EQ(p0.at("target").as_string(), "shop/db[StatefulSet]");
  EXPECT_EQ(p0.at("hops").as_int64(), 1);
  const auto& p1 = paths[1].as_object();
  EXPECT_EQ(p1.at("source").as_string(), "0.0.0.0-9.255.255.255");
  EXPECT_EQ(p1.at("hops").as_int64(), 2);
  EXPECT_EQ(p1.at("path").as_array()[0].as_object().at("rule").as_string(),
            "TCP 8080 via ingress shop/web-in");
}

TEST(ZonesCli, DiffEstatesAndManifests) {
  auto r = RunRampart({"zones", "diff", Example("estate.yaml"), Example("flat-network.yaml")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.rfind("Connectivity diff:\n", 0), 0u);
  EXPECT_NE(r.out.find("diff-type: added, source: internet, destination: raw-bucket, dir1: No "
                       "Connections, dir2: TCP 9000"),
            std::string::npos)
      << r.out;
  auto same = RunRampart({"zones", "diff", Example("estate.yaml"), Example("estate.yaml")});
  EXPECT_EQ(same.exit_code, 0);
  EXPECT_EQ(same.out, "Connectivity diff:\n");

  TempDir dir;
  auto a = dir.Write("a/app.yaml", kManifests);
  std::string changed = kManifests;
  changed.replace(changed.find("ports: [{port: 5432}]"), 21, "ports: [{port: 5432}, {port: 5433}]");
  dir.Write("b/app.yaml", changed);
  r = RunRampart({"zones", "diff", (dir / "a").string(), (dir / "b").string(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto v = ParseJson(r.out);
  ASSERT_TRUE(v.has_value()) << r.out;
  const auto& diff = v->as_object().at("diff").as_array();
  ASSERT_EQ(diff.size(), 1u);
  EXPECT_EQ(diff[0].as_object().at("dir2").as_string(), "TCP 5432-5433");

  auto mixed = RunRampart({"zones", "diff", Example("estate.yaml"), (dir / "a").string()});
  EXPECT_EQ(mixed.exit_code, 2);
}

TEST(ZonesCli, KubernetesExamplesBeforeAndAfter) {
  std::string before = (SourceDir() / "examples/k8s/before").string();
  std::string after = (SourceDir() / "examples/k8s/after").string();
  auto r = RunRampart({"zones", "analyze", before});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "0.0.0.0-9.255.255.255[External] => inference/gateway[Deployment] : TCP 8443\n"
            "11.0.0.0-255.255.255.255[External] => inference/gateway[Deployment] : TCP 8443\n"
            "inference/gateway[Deployment] => inference/vllm[Deployment] : TCP 8000\n"
            "inference/vllm[Deployment] => mlops/registry[Deployment] : TCP 8080\n"
            "inference/vllm[Deployment] => training/trainer[Job] : All Connections\n"
            "mlops/orchestrator[Deployment] => training/trainer[Job] : TCP 6818\n"
            "training/trainer[Job] => mlops/registry[Deployment] : TCP 8080\n"
            "training/trainer[Job] => training/checkpoints[StatefulSet] : TCP 2049\n");
  auto paths = RunRampart({"zones", "paths", before});
  EXPECT_EQ(paths.exit_code, 1);
  EXPECT_NE(
      paths.out.find("3 hop(s): inference/gateway[Deployment] -> "
                     "training/checkpoints[StatefulSet]\n"
                     "  inference/gateway[Deployment] -> inference/vllm[Deployment]  [TCP 8000 "
                     "via egress inference/gateway, ingress inference/vllm]\n"
                     "  inference/vllm[Deployment] -> training/trainer[Job]  [All Connections "
                     "via egress inference/vllm, ingress training/trainer]\n"),
      std::string::npos)
      << paths.out;
  auto fixed = RunRampart({"zones", "paths", after});
  EXPECT_EQ(fixed.out.find("checkpoints"), std::string::npos) << fixed.out;
  auto diff = RunRampart({"zones", "diff", before, after});
  EXPECT_EQ(diff.exit_code, 1);
  EXPECT_EQ(diff.out,
            "Connectivity diff:\n"
            "diff-type: removed, source: inference/vllm[Deployment], destination: "
            "training/trainer[Job], dir1: All Connections, dir2: No Connections\n");
}

// One of netpol-analyzer's own cases end to end through the binary: a
// directory of Deployments, Services, Routes, ConfigMaps and a JSON file that
// is no manifest; the text equals netpol-analyzer's after sorting.
TEST(ZonesCli, AnalyzeMatchesNetpolAnalyzerOnItsOwnCase) {
  std::filesystem::path src = std::filesystem::absolute(SourceDir());
  std::filesystem::path cases;
  for (const auto& base : {src.parent_path(), src.parent_path().parent_path()}) {
    if (std::filesystem::is_directory(base / "shared/testdata/netpol/cases")) {
      cases = base / "shared/testdata/netpol/cases";
    }
  }
  RAMPART_NEEDS(!cases.empty(), "../shared/testdata/netpol/cases");
  auto dir = cases / "acs-security-demos";
  auto r = RunRampart({"zones", "analyze", (dir / "input").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto expected = ReadFile(dir / "expected_connlist.txt");
  ASSERT_TRUE(expected.has_value());
  auto sorted = [](const std::string& text) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      if (end > pos) lines.push_back(text.substr(pos, end - pos));
      pos = end + 1;
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  };
  EXPECT_EQ(sorted(r.out), sorted(*expected));
  EXPECT_NE(r.err.find("connlist_output.json:1:1: note: not a Kubernetes manifest"),
            std::string::npos)
      << r.err;

  auto dot = RunRampart({"zones", "analyze", (dir / "input").string(), "--format", "dot"});
  EXPECT_NE(
      dot.out.find("\t\"{ingress-controller}\" [label=\"{ingress-controller}\" color=\"blue\""),
      std::string::npos)
      << dot.out;
  EXPECT_NE(dot.out.find("\"{ingress-controller}\" -> \"frontend/webapp[Deployment]\" "
                         "[label=\"TCP 8080\""),
            std::string::npos);
  auto js = RunRampart({"zones", "analyze", (dir / "input").string(), "--format", "json"});
  auto v = ParseJson(js.out);
  ASSERT_TRUE(v.has_value()) << js.out;
  EXPECT_EQ(v->as_object().at("connections").as_array().size(), sorted(*expected).size());
}

}  // namespace
}  // namespace rampart
