#include "estate/loader.h"

#include <gtest/gtest.h>

#include <fstream>

namespace rampart::estate {
namespace {

// A minimal valid estate the cases below break one line at a time.
constexpr const char* kBase = R"(version: 1
name: t
zones:
  - name: training
    kind: training
    cidrs: [10.20.0.0/16]
  - name: inference
    kind: inference
    cidrs: [10.30.0.0/16]
    routable: true
services:
  - name: gpu
    zone: training
    kind: compute
    ports: [tcp/29500-29600, tcp/6818]
  - name: vllm
    zone: inference
    kind: inference
    ports: [8000]
    inference: {protocol: openai, models: [m]}
identities:
  - {name: sa, kind: service-account}
flows:
  - {from: vllm, to: gpu, ports: [tcp/6818], identity: sa}
)";

LoadResult MustLoad(std::string_view text) {
  auto r = LoadString(text, "e.yaml");
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
  return r ? std::move(*r) : LoadResult{};
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

// True if some diagnostic starts with `prefix` (e.g. "e.yaml:14:11: error:")
// and contains `text`.
::testing::AssertionResult HasDiag(const LoadResult& r, std::string_view prefix,
                                   std::string_view text) {
  for (const auto& d : r.diagnostics.items()) {
    std::string s = d.ToString();
    if (s.rfind(prefix, 0) == 0 && s.find(text) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure() << "no diagnostic '" << prefix << "..." << text << "' in:\n"
                                       << r.diagnostics.ToString();
}

TEST(LoaderTest, BaseIsValidAndNormalised) {
  LoadResult r = MustLoad(kBase);
  EXPECT_FALSE(r.diagnostics.has_errors()) << r.diagnostics.ToString();
  const Estate& e = r.estate;
  ASSERT_EQ(e.zones.size(), 2u);
  EXPECT_FALSE(e.zones[0].routable);
  EXPECT_TRUE(e.zones[1].routable);
  ASSERT_EQ(e.flows.size(), 1u);
  EXPECT_EQ(e.flows[0].name, "vllm-to-gpu");  // generated id
  EXPECT_EQ(e.flows[0].to_kind, EndpointKind::kService);
  const Service* gpu = e.FindService("gpu");
  ASSERT_NE(gpu, nullptr);
  EXPECT_EQ(gpu->ports[0].ToString(), "tcp/29500-29600");
  EXPECT_EQ(e.FindService("vllm")->ports[0].ToString(), "tcp/8000");
  EXPECT_EQ(e.FindService("vllm")->inference->protocol, InferenceProtocol::kOpenAi);
  EXPECT_EQ(e.ZoneOfEndpoint("gpu", EndpointKind::kService)->name, "training");
  EXPECT_EQ(gpu->where.line, 12);
}

TEST(LoaderTest, FlowWithoutPortsTakesTheServicePorts) {
  LoadResult r = MustLoad(Replace(kBase, ", ports: [tcp/6818]", ""));
  EXPECT_FALSE(r.diagnostics.has_errors()) << r.diagnostics.ToString();
  EXPECT_EQ(r.estate.flows[0].ports.size(), 2u);
}

TEST(LoaderTest, UnknownReferenceSuggestsTheName) {
  LoadResult r = MustLoad(
      Replace(kBase, "zone: training\n    kind: compute", "zone: trainng\n    kind: compute"));
  EXPECT_TRUE(
      HasDiag(r, "e.yaml:13:11: error: unknown zone 'trainng'", "did you mean 'training'?"));
  LoadResult f = MustLoad(Replace(kBase, "to: gpu,", "to: gpus,"));
  EXPECT_TRUE(
      HasDiag(f, "e.yaml:24:22: error: unknown flow endpoint 'gpus'", "did you mean 'gpu'?"));
  LoadResult i = MustLoad(Replace(kBase, "identity: sa}", "identity: sb}"));
  EXPECT_TRUE(HasDiag(i, "e.yaml:24:56: error: unknown identity 'sb'", "did you mean 'sa'?"));
}

TEST(LoaderTest, DuplicateNames) {
  LoadResult r = MustLoad(Replace(kBase, "name: vllm", "name: gpu"));
  EXPECT_TRUE(HasDiag(r, "e.yaml:16:5: error: service 'gpu' is already defined at e.yaml:12:5",
                      "rename one"));
  // A service may not share a name with a zone either.
  LoadResult z = MustLoad(Replace(kBase, "name: vllm", "name: inference"));
  EXPECT_TRUE(
      HasDiag(z, "e.yaml:16:5: error: service 'inference' is already defined at e.yaml:7:5", ""));
}

TEST(LoaderTest, OverlappingZoneCidrs) {
  LoadResult r = MustLoad(Replace(kBase, "[10.30.0.0/16]", "[10.20.128.0/17]"));
  EXPECT_TRUE(HasDiag(r,
                      "e.yaml:9:13: error: zone 'inference' CIDR 10.20.128.0/17 overlaps zone "
                      "'training' CIDR 10.20.0.0/16 (e.yaml:6:13)",
                      ""));
}

TEST(LoaderTest, FlowToAPortTheServiceDoesNotExpose) {
  LoadResult r = MustLoad(Replace(kBase, "ports: [tcp/6818]", "ports: [tcp/22]"));
  EXPECT_TRUE(HasDiag(r, "e.yaml:24:34: error: flow 'vllm-to-gpu' uses tcp/22 but service 'gpu'",
                      "the service exposes tcp/29500-29600, tcp/6818"));
  // A sub-range of an exposed range is fine; one reaching past it is not.
  EXPECT_FALSE(MustLoad(Replace(kBase, "ports: [tcp/6818]", "ports: [tcp/29500-29510]"))
                   .diagnostics.has_errors());
  EXPECT_TRUE(MustLoad(Replace(kBase, "ports: [tcp/6818]", "ports: [tcp/29500-29700]"))
                  .diagnostics.has_errors());
  EXPECT_TRUE(
      MustLoad(Replace(kBase, "ports: [tcp/6818]", "ports: [udp/6818]")).diagnostics.has_errors());
}

TEST(LoaderTest, AssetInAZoneThatDoesNotExist) {
  std::string text = std::string(kBase) +
                     "assets:\n  - {name: weights, kind: model, zone: mlops, crown_jewel: true}\n";
  LoadResult r = MustLoad(text);
  EXPECT_TRUE(HasDiag(r, "e.yaml:26:40: error: unknown zone 'mlops'", "define the zone"));
}

TEST(LoaderTest, WrongTypesMissingFieldsAndUnknownFields) {
  LoadResult r =
      MustLoad(Replace(kBase, "    kind: compute\n", "    kind: compute\n    prots: [1]\n"));
  EXPECT_TRUE(
      HasDiag(r, "e.yaml:15:5: error: service has unknown field 'prots'", "did you mean 'ports'?"));
  LoadResult m = MustLoad(Replace(kBase, "    kind: training\n", ""));
  EXPECT_TRUE(HasDiag(m, "e.yaml:4:5: error: zone is missing required field 'kind'", ""));
  LoadResult t = MustLoad(Replace(kBase, "routable: true", "routable: [yes]"));
  EXPECT_TRUE(HasDiag(t, "e.yaml:10:15: error: zone field 'routable' must be true or false", ""));
  LoadResult p = MustLoad(Replace(kBase, "ports: [8000]", "ports: [80000]"));
  EXPECT_TRUE(HasDiag(p, "e.yaml:19:13: error: port '80000' is not a number in 1-65535", ""));
  LoadResult k = MustLoad(Replace(kBase, "kind: compute", "kind: gpu"));
  EXPECT_TRUE(HasDiag(k, "e.yaml:14:11: error: service field 'kind' is 'gpu'", "expected"));
  LoadResult c = MustLoad(Replace(kBase, "[10.20.0.0/16]", "[10.20.0.1/16]"));
  EXPECT_TRUE(HasDiag(c, "e.yaml:6:13: error:", "did you mean '10.20.0.0/16'?"));
  LoadResult top = MustLoad(Replace(kBase, "flows:", "flow:"));
  EXPECT_TRUE(
      HasDiag(top, "e.yaml:23:1: error: estate has unknown field 'flow'", "did you mean 'flows'?"));
  LoadResult inf = MustLoad(Replace(kBase, "    inference: {protocol: openai, models: [m]}\n", ""));
  EXPECT_TRUE(HasDiag(inf, "e.yaml:16:5: error: inference service 'vllm' has no 'inference'", ""));
}

TEST(LoaderTest, SyntaxErrorIsAStatusWithPosition) {
  auto r = LoadString("zones:\n  - name: a\n    kind: [training\n", "bad.yaml");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.error().message().rfind("bad.yaml:", 0), 0u) << r.error().message();
  auto not_map = LoadString("- 1\n- 2\n", "list.yaml");
  ASSERT_TRUE(not_map.has_value());
  EXPECT_TRUE(HasDiag(*not_map, "list.yaml:1:1: error: estate must be a mapping", ""));
}

TEST(LoaderTest, RegulatedNeedsARegulation) {
  std::string text = std::string(kBase) +
                     "assets:\n  - {name: phi, kind: dataset, zone: training, "
                     "classification: regulated}\n"
                     "  - {name: pii, kind: dataset, zone: training, regulated: [pii]}\n"
                     "  - {name: ok, kind: dataset, zone: training, classification: regulated, "
                     "regulated: [phi, pii]}\n";
  LoadResult r = MustLoad(text);
  EXPECT_TRUE(HasDiag(r, "e.yaml:26:5: error: asset 'phi' is classified regulated", ""));
  EXPECT_TRUE(HasDiag(r, "e.yaml:27:5: error: asset 'pii' names regulations", ""));
  EXPECT_EQ(r.diagnostics.error_count(), 2u) << r.diagnostics.ToString();
  EXPECT_EQ(r.estate.FindAsset("ok")->regulated.size(), 2u);
}

TEST(LoaderTest, ExamplesValidate) {
  auto good = LoadFiles({"examples/estate.yaml"});
  ASSERT_TRUE(good.has_value()) << good.error().message();
  EXPECT_EQ(good->diagnostics.items().size(), 0u) << good->diagnostics.ToString();
  EXPECT_GE(good->estate.services.size(), 10u);
  auto flat = LoadFiles({"examples/flat-network.yaml"});
  ASSERT_TRUE(flat.has_value()) << flat.error().message();
  EXPECT_FALSE(flat->diagnostics.has_errors()) << flat->diagnostics.ToString();
  // Everything that holds a crown jewel sits in the one zone with the gateway.
  EXPECT_EQ(flat->estate.FindService("raw-bucket")->exposure, Exposure::kInternet);
  EXPECT_EQ(flat->estate.FindService("gateway")->zone, "flat");
  EXPECT_EQ(flat->estate.FindService("training-storage")->zone, "flat");
}

// The example in docs/formats/estate.md must stay a valid estate.
TEST(LoaderTest, FormatDocExampleValidates) {
  std::ifstream in("docs/formats/estate.md");
  ASSERT_TRUE(in) << "run from the source tree";
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto start = doc.find("```yaml\nversion: 1");
  ASSERT_NE(start, std::string::npos);
  start += 8;
  auto end = doc.find("```", start);
  auto r = LoadString(doc.substr(start, end - start), "estate.md");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->diagnostics.items().size(), 0u) << r->diagnostics.ToString();
  EXPECT_EQ(r->estate.flows.size(), 5u);
}

class MultiFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rampart-estate-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(MultiFileTest, FilesAndDirectoriesCombine) {
  Write("10-zones.yaml",
        "version: 1\nname: t\nzones:\n  - {name: a, kind: other, cidrs: [10.1.0.0/16]}\n");
  Write("20-services.yaml",
        "services:\n  - {name: s, zone: a, kind: storage, ports: [9000]}\n"
        "flows:\n  - {from: a, to: s}\n");
  Write("ignored.txt", "not yaml at all: [");
  auto dir = LoadFiles({dir_});
  ASSERT_TRUE(dir.has_value()) << dir.error().message();
  EXPECT_FALSE(dir->diagnostics.has_errors()) << dir->diagnostics.ToString();
  EXPECT_EQ(dir->estate.files.size(), 2u);
  EXPECT_EQ(dir->estate.flows.at(0).from_kind, EndpointKind::kZone);

  auto files = LoadFiles({dir_ / "20-services.yaml", dir_ / "10-zones.yaml"});
  ASSERT_TRUE(files.has_value());
  EXPECT_FALSE(files->diagnostics.has_errors()) << files->diagnostics.ToString();

  // A reference error in the second file names that file.
  Write("30-more.yaml", "services:\n  - {name: t, zone: b, kind: storage, ports: [1]}\n");
  auto bad = LoadFiles({dir_});
  ASSERT_TRUE(bad.has_value());
  EXPECT_TRUE(
      HasDiag(*bad, (dir_ / "30-more.yaml").string() + ":2:21: error: unknown zone 'b'", ""));
  EXPECT_FALSE(LoadValid({dir_}).has_value());
}

TEST_F(MultiFileTest, UnreadableInput) {
  auto missing = LoadFiles({dir_ / "nope.yaml"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  auto empty_dir = LoadFiles({dir_});
  ASSERT_FALSE(empty_dir.has_value());
  EXPECT_NE(empty_dir.error().message().find("no .yaml"), std::string::npos);
}

TEST(LoaderTest, PortRangeParsing) {
  EXPECT_EQ(ParsePortRange("udp/53")->ToString(), "udp/53");
  EXPECT_EQ(ParsePortRange("29500-29600")->last, 29600);
  EXPECT_FALSE(ParsePortRange("tcp/0").has_value());
  EXPECT_FALSE(ParsePortRange("icmp/1").has_value());
  EXPECT_FALSE(ParsePortRange("tcp/20-10").has_value());
  EXPECT_FALSE(ParsePortRange("tcp/").has_value());
  EXPECT_FALSE(ParsePortRange("tcp/1-").has_value());
}

}  // namespace
}  // namespace rampart::estate
