#include "estate/graph.h"

#include <gtest/gtest.h>

#include "core/json.h"
#include "estate/loader.h"

namespace rampart::estate {
namespace {

Estate Example() {
  auto r = LoadValid({"examples/estate.yaml"});
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
  return r ? std::move(*r) : Estate{};
}

TEST(GraphTest, DotHasClustersNodesEdgesAndCrownJewels) {
  Estate e = Example();
  std::string dot = GraphDot(e);
  EXPECT_EQ(dot.rfind("digraph \"acme-ai\" {", 0), 0u);
  EXPECT_NE(dot.find("subgraph \"cluster_training\""), std::string::npos);
  EXPECT_NE(
      dot.find("\"service:gateway\" -> \"service:vllm\" [label=\"gateway-to-vllm\\ntcp/8000\"]"),
      std::string::npos)
      << dot;
  EXPECT_NE(dot.find("\"asset:raw-patient-records\" [label=\"raw-patient-records\\ndataset, "
                     "regulated phi\\ncrown jewel\", shape=cylinder, color=red"),
            std::string::npos)
      << dot;
  EXPECT_NE(dot.find("\"zone:internet\" -> \"service:gateway\""), std::string::npos);
  // One edge per flow plus one per stored asset.
  std::size_t edges = 0;
  for (std::size_t p = dot.find(" -> "); p != std::string::npos; p = dot.find(" -> ", p + 1)) {
    ++edges;
  }
  std::size_t stored = 0;
  for (const auto& a : e.assets) stored += a.service.empty() ? 0 : 1;
  EXPECT_EQ(edges, e.flows.size() + stored);
  EXPECT_EQ(GraphDot(e), dot);  // deterministic
}

TEST(GraphTest, JsonGraph) {
  Estate e = Example();
  auto g = GraphJson(e).as_object();
  EXPECT_EQ(g["zones"].as_array().size(), e.zones.size());
  EXPECT_EQ(g["nodes"].as_array().size(), e.services.size() + e.assets.size());
  int jewels = 0;
  for (const auto& n : g["nodes"].as_array()) {
    if (n.as_object().contains("crown_jewel") && n.as_object().at("crown_jewel").as_bool()) {
      ++jewels;
    }
  }
  EXPECT_EQ(jewels, 5);
}

TEST(GraphTest, ShowRoundTripsThroughJson) {
  Estate e = Example();
  std::string j = ToPrettyJson(ToJson(e));
  auto parsed = ParseJson(j);
  ASSERT_TRUE(parsed.has_value());
  const auto& flows = parsed->as_object().at("flows").as_array();
  ASSERT_EQ(flows.size(), e.flows.size());
  // gateway-audit named no ports; the normalised model lists the ledger's.
  for (const auto& f : flows) {
    if (f.as_object().at("name") == "gateway-audit") {
      EXPECT_EQ(f.as_object().at("ports").as_array().at(0), "tcp/7000");
    }
  }
  std::string text = ToText(e);
  EXPECT_NE(text.find("zone training (training) non-routable"), std::string::npos) << text;
  EXPECT_NE(text.find("service gateway [gateway] tcp/8443 EXPOSED"), std::string::npos);
}

}  // namespace
}  // namespace rampart::estate
