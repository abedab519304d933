// gateway.guards: the documented example, defaults, and diagnostics.
#include "guards/config.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "estate/loader.h"

namespace rampart::guards {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// examples/estate.yaml with its gateway: section replaced by `section`.
Result<estate::LoadResult> WithGateway(const std::string& section) {
  std::string e = Slurp("examples/estate.yaml");
  auto g = e.find("\ngateway:");
  auto g_end = e.find("\n# ", g + 1);
  std::string without =
      e.substr(0, g + 1) + (g_end == std::string::npos ? "" : e.substr(g_end + 1));
  return estate::LoadString(without + "\n" + section, "test.yaml");
}

Action A(const GuardsConfig& c, Detector d) {
  return c.output.actions[static_cast<std::size_t>(d)];
}

TEST(GuardsConfig, DocExampleLoadsWithoutDiagnostics) {
  std::string doc = Slurp("docs/formats/gateway-config.md");
  auto start = doc.find("```yaml\ngateway:\n  guards:");
  ASSERT_NE(start, std::string::npos) << "run from the source tree";
  start += 8;
  std::string section = doc.substr(start, doc.find("```", start) - start);
  auto r = WithGateway(section);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_FALSE(r->diagnostics.has_errors()) << r->diagnostics.ToString();
  Diagnostics d;
  auto c = LoadGuardsConfig(r->estate, &d);
  ASSERT_TRUE(c) << d.ToString();
  EXPECT_TRUE(d.items().empty()) << d.ToString();
  EXPECT_TRUE(c->enabled);
  EXPECT_EQ(A(*c, Detector::kAwsAccessKey), Action::kRedact);
  EXPECT_EQ(A(*c, Detector::kEmail), Action::kFlag);
  EXPECT_EQ(A(*c, Detector::kPaymentCard), Action::kRedact);
  EXPECT_EQ(A(*c, Detector::kCanary), Action::kBlock);
  ASSERT_EQ(c->overrides.size(), 2u);
  EXPECT_EQ(c->overrides[0].actions[static_cast<std::size_t>(Detector::kEmail)], Action::kOff);
  EXPECT_EQ(c->overrides[1].actions[static_cast<std::size_t>(Detector::kJwt)], Action::kBlock);
  EXPECT_EQ(c->rules.threshold[static_cast<std::size_t>(PromptRole::kTool)], RuleSeverity::kMedium);
  EXPECT_FALSE(c->rules.threshold[static_cast<std::size_t>(PromptRole::kSystem)]);
  ASSERT_EQ(c->rules.packs.size(), 1u);
  EXPECT_EQ(c->rules.packs[0].filename(), "rules.yaml");
  EXPECT_EQ(c->classifier.model.filename(), "injection.model");
  EXPECT_TRUE(std::isnan(*c->classifier.threshold[static_cast<std::size_t>(PromptRole::kUser)]));
  EXPECT_EQ(c->classifier.threshold[static_cast<std::size_t>(PromptRole::kTool)], 0.2);
  EXPECT_FALSE(c->classifier.threshold[static_cast<std::size_t>(PromptRole::kSystem)]);
}

TEST(GuardsConfig, InstructionDetectorPolicy) {
  Diagnostics d;
  auto r = WithGateway("gateway:\n  guards: {}\n");
  ASSERT_TRUE(r) << r.error().message();
  auto c = LoadGuardsConfig(r->estate, &d);
  ASSERT_TRUE(c) << d.ToString();
  // Defaults: on, blocking, tool results only.
  EXPECT_TRUE(c->instruction.enabled);
  EXPECT_EQ(c->instruction.action, Action::kBlock);
  EXPECT_FALSE(c->instruction.threshold[static_cast<std::size_t>(PromptRole::kUser)]);
  EXPECT_TRUE(std::isnan(*c->instruction.threshold[static_cast<std::size_t>(PromptRole::kTool)]));
  EXPECT_FALSE(c->instruction.threshold[static_cast<std::size_t>(PromptRole::kSystem)]);

  r = WithGateway(
      "gateway:\n  guards:\n    instruction:\n      action: redact\n"
      "      thresholds: {tool: 0.7, system: model}\n");
  ASSERT_TRUE(r) << r.error().message();
  c = LoadGuardsConfig(r->estate, &d);
  ASSERT_TRUE(c) << d.ToString();
  EXPECT_EQ(c->instruction.action, Action::kRedact);
  EXPECT_EQ(c->instruction.threshold[static_cast<std::size_t>(PromptRole::kTool)], 0.7);
  EXPECT_TRUE(std::isnan(*c->instruction.threshold[static_cast<std::size_t>(PromptRole::kSystem)]));

  Diagnostics bad;
  r = WithGateway(
      "gateway:\n  guards:\n    instruction:\n      action: sometimes\n"
      "      thresholds: {tool: 2}\n      colour: red\n");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(LoadGuardsConfig(r->estate, &bad));
  const std::string all = bad.ToString();
  EXPECT_NE(all.find("instruction threshold must be a number in [0, 1]"), std::string::npos) << all;
  EXPECT_NE(all.find("sometimes"), std::string::npos) << all;
  EXPECT_NE(all.find("colour"), std::string::npos) << all;
}

TEST(GuardsConfig, PerIdentityModes) {
  auto r = WithGateway(
      "gateway:\n  guards:\n    identities:\n      gateway-sa: {mode: monitor}\n"
      "      triton-sa: {mode: off}\n");
  ASSERT_TRUE(r) << r.error().message();
  Diagnostics d;
  auto c = LoadGuardsConfig(r->estate, &d);
  ASSERT_TRUE(c) << d.ToString();
  EXPECT_EQ(c->identities.at("gateway-sa"), GuardMode::kMonitor);
  EXPECT_EQ(c->identities.at("triton-sa"), GuardMode::kOff);
  // An unknown identity and an unknown mode are errors with their position.
  r = WithGateway(
      "gateway:\n  guards:\n    identities:\n      nobody: {mode: monitor}\n"
      "      vllm-sa: {mode: loud}\n");
  ASSERT_TRUE(r);
  Diagnostics e;
  EXPECT_FALSE(LoadGuardsConfig(r->estate, &e));
  EXPECT_NE(e.ToString().find("'nobody' is not an identity"), std::string::npos) << e.ToString();
  EXPECT_NE(e.ToString().find("loud"), std::string::npos) << e.ToString();
}

TEST(GuardsConfig, PerIdentityClassifierThresholds) {
  auto r = WithGateway(
      "gateway:\n  guards:\n    classifier: {model: m.model, thresholds: {tool: 0.2}}\n    "
      "identities:\n"
      "      gateway-sa: {classifier_thresholds: {user: 0.9, system: model}}\n"
      "      triton-sa: {mode: monitor, classifier_thresholds: {tool: off}}\n");
  ASSERT_TRUE(r) << r.error().message();
  Diagnostics d;
  auto c = LoadGuardsConfig(r->estate, &d);
  ASSERT_TRUE(c) << d.ToString();
  const auto& g = c->identity_thresholds.at("gateway-sa");
  EXPECT_EQ(g[static_cast<std::size_t>(PromptRole::kUser)], 0.9);
  EXPECT_EQ(g[static_cast<std::size_t>(PromptRole::kTool)], 0.2);  // inherited
  EXPECT_TRUE(std::isnan(*g[static_cast<std::size_t>(PromptRole::kSystem)]));
  EXPECT_EQ(c->identities.count("gateway-sa"), 0u);  // no mode given: enforce
  const auto& t = c->identity_thresholds.at("triton-sa");
  EXPECT_FALSE(t[static_cast<std::size_t>(PromptRole::kTool)]);
  EXPECT_TRUE(std::isnan(*t[static_cast<std::size_t>(PromptRole::kUser)]));
  EXPECT_EQ(c->identities.at("triton-sa"), GuardMode::kMonitor);
  // A bad value is an error naming the identity's path.
  r = WithGateway(
      "gateway:\n  guards:\n    identities:\n"
      "      gateway-sa: {classifier_thresholds: {user: 1.5}}\n");
  ASSERT_TRUE(r);
  Diagnostics e;
  EXPECT_FALSE(LoadGuardsConfig(r->estate, &e));
  EXPECT_NE(e.ToString().find("1.5"), std::string::npos) << e.ToString();
  // Neither mode nor thresholds: mode is required.
  r = WithGateway("gateway:\n  guards:\n    identities:\n      gateway-sa: {}\n");
  ASSERT_TRUE(r);
  Diagnostics m;
  EXPECT_FALSE(LoadGuardsConfig(r->estate, &m));
}

TEST(GuardsConfig, NoSectionNoGuardsEmptySectionDefaults) {
  auto r = WithGateway("gateway:\n  standin: true\n");
  ASSERT_TRUE(r);
  Diagnostics d;
  EXPECT_FALSE(LoadGuardsConfig(r->estate, &d)->enabled);
  r = WithGateway("gateway:\n  guards: {}\n");
  ASSERT_TRUE(r);
  auto c = LoadGuardsConfig(r->estate, &d);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->enabled);
  EXPECT_EQ(A(*c, Detector::kPrivateKey), Action::kRedact);
  EXPECT_EQ(A(*c, Detector::kIban), Action::kFlag);
  EXPECT_TRUE(c->canary);
  // The example estate turns them on.
  auto ex = estate::LoadFiles({"examples/estate.yaml"});
  ASSERT_TRUE(ex);
  auto ce = LoadGuardsConfig(ex->estate, &d);
  ASSERT_TRUE(ce) << d.ToString();
  EXPECT_TRUE(ce->enabled);
}

TEST(GuardsConfig, MistakesAreReportedWithLineAndColumn) {
  auto r = WithGateway(
      "gateway:\n"
      "  guards:\n"
      "    output: {secrets: redcat, detectors: {emial: flag}}\n"
      "    canary: {tokn: abc}\n"
      "    rules: {thresholds: {user: hihg}}\n"
      "    classifier: {model: m.model, thresholds: {tool: 1.5}}\n");
  ASSERT_TRUE(r);
  Diagnostics d;
  auto c = LoadGuardsConfig(r->estate, &d);
  EXPECT_FALSE(c);
  std::string all = d.ToString();
  EXPECT_NE(all.find("did you mean 'redact'"), std::string::npos) << all;
  EXPECT_NE(all.find("did you mean 'email'"), std::string::npos) << all;
  EXPECT_NE(all.find("did you mean 'token'"), std::string::npos) << all;
  EXPECT_NE(all.find("did you mean 'high'"), std::string::npos) << all;
  EXPECT_NE(all.find("classifier threshold must be a number in [0, 1]"), std::string::npos) << all;
  // Each names the estate file, line and column.
  for (const auto& item : d.items()) {
    EXPECT_EQ(item.location.file, "test.yaml");
    EXPECT_GT(item.location.line, 0);
    EXPECT_GT(item.location.column, 0);
  }
}

}  // namespace
}  // namespace rampart::guards
