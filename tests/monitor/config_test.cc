// gateway.monitor: the documented example, defaults, and diagnostics.
#include "monitor/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "estate/loader.h"

namespace rampart::monitor {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<estate::LoadResult> WithGateway(const std::string& section) {
  std::string e = Slurp("examples/estate.yaml");
  auto g = e.find("\ngateway:");
  auto g_end = e.find("\n# ", g + 1);
  std::string without =
      e.substr(0, g + 1) + (g_end == std::string::npos ? "" : e.substr(g_end + 1));
  return estate::LoadString(without + "\n" + section, "test.yaml");
}

TEST(MonitorConfig, DocExampleLoadsWithoutDiagnostics) {
  std::string doc = Slurp("docs/formats/gateway-config.md");
  auto start = doc.find("```yaml\ngateway:\n  monitor:");
  ASSERT_NE(start, std::string::npos);
  start += 8;
  auto r = WithGateway(doc.substr(start, doc.find("```", start) - start));
  ASSERT_TRUE(r) << r.error().message();
  Diagnostics d;
  auto c = LoadMonitorConfig(r->estate, &d);
  ASSERT_TRUE(c) << d.ToString();
  EXPECT_TRUE(d.items().empty()) << d.ToString();
  EXPECT_TRUE(c->enabled);
  EXPECT_EQ(c->memory_bytes, 64ull << 20);
  EXPECT_EQ(c->at(Detector::kPrada).policy, Policy::kThrottle);
  EXPECT_EQ(c->at(Detector::kPrada).threshold, 0.75);
  EXPECT_EQ(c->prada_window, 128u);
  EXPECT_EQ(c->at(Detector::kCoverage).threshold, 2.0);
  EXPECT_EQ(c->template_hamming, 14);
  EXPECT_EQ(c->collusion_identities, 4u);
  EXPECT_EQ(c->at(Detector::kMaxLength).min_queries, 64u);
}

TEST(MonitorConfig, NoSectionNoMonitorEmptySectionDefaults) {
  auto r = WithGateway("gateway:\n  standin: true\n");
  ASSERT_TRUE(r);
  Diagnostics d;
  EXPECT_FALSE(LoadMonitorConfig(r->estate, &d)->enabled);
  r = WithGateway("gateway:\n  monitor: {}\n");
  ASSERT_TRUE(r);
  auto c = LoadMonitorConfig(r->estate, &d);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->enabled);
  EXPECT_EQ(c->at(Detector::kTemplate).policy, Policy::kAlert);
  EXPECT_EQ(c->at(Detector::kCoverage).policy, Policy::kThrottle);
}

TEST(MonitorConfig, ErrorsNameTheLine) {
  auto r = WithGateway(
      "gateway:\n  monitor:\n    memory_mb: 0\n    detectors:\n      prada: {policy: maybe, "
      "delta: 2}\n      telepathy: {}\n");
  ASSERT_TRUE(r);
  Diagnostics d;
  auto c = LoadMonitorConfig(r->estate, &d);
  ASSERT_FALSE(c);
  std::string s = d.ToString();
  EXPECT_NE(s.find("memory_mb"), std::string::npos) << s;
  EXPECT_NE(s.find("maybe"), std::string::npos) << s;
  EXPECT_NE(s.find("delta"), std::string::npos) << s;
  EXPECT_NE(s.find("telepathy"), std::string::npos) << s;
  EXPECT_NE(s.find("test.yaml:"), std::string::npos) << s;
}

}  // namespace
}  // namespace rampart::monitor
