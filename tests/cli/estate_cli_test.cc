// `rampart estate ...` as a user runs it: exit codes, stdout, stderr.
#include <gtest/gtest.h>

#include "core/json.h"
#include "testing/testing.h"

namespace rampart {
namespace {

using testing::RunRampart;

std::string Example(const std::string& name) {
  return (testing::SourceDir() / "examples" / name).string();
}

TEST(EstateCliTest, HelpAndVersion) {
  auto help = RunRampart({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("estate"), std::string::npos);
  EXPECT_NE(help.out.find("serve"), std::string::npos);
  auto version = RunRampart({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("rampart ", 0), 0u) << version.out;
  EXPECT_EQ(RunRampart({}).exit_code, 2);
  EXPECT_EQ(RunRampart({"no-such-command"}).exit_code, 2);
}

TEST(EstateCliTest, CheckExamples) {
  auto good = RunRampart({"estate", "check", Example("estate.yaml")});
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  EXPECT_NE(good.out.find("estate OK"), std::string::npos);
  auto flat = RunRampart({"estate", "check", Example("flat-network.yaml")});
  EXPECT_EQ(flat.exit_code, 0) << flat.out << flat.err;
}

TEST(EstateCliTest, CheckFindingsExitOneWithPositions) {
  testing::TempDir dir;
  auto bad = dir.Write("bad.yaml",
                       "version: 1\n"
                       "zones:\n"
                       "  - {name: a, kind: trainig}\n"
                       "services:\n"
                       "  - {name: s, zone: b, kind: storage, ports: [9000]}\n");
  auto r = RunRampart({"estate", "check", bad.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(bad.string() + ":3:21: error: zone field 'kind' is 'trainig'"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("did you mean 'training'?"), std::string::npos);
  EXPECT_NE(r.out.find(bad.string() + ":5:21: error: unknown zone 'b'"), std::string::npos)
      << r.out;
  auto j = RunRampart({"estate", "check", "--format", "json", bad.string()});
  EXPECT_EQ(j.exit_code, 1);
  auto parsed = ParseJson(j.out);
  ASSERT_TRUE(parsed.has_value()) << j.out;
  EXPECT_FALSE(parsed->as_object().at("ok").as_bool());
  EXPECT_EQ(parsed->as_object().at("diagnostics").as_array().size(), 2u);
}

TEST(EstateCliTest, UnreadableOrSyntaxErrorExitsTwo) {
  testing::TempDir dir;
  auto r = RunRampart({"estate", "check", (dir / "missing.yaml").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.yaml"), std::string::npos);
  auto syntax = dir.Write("syntax.yaml", "zones:\n  - name: [a\n");
  auto s = RunRampart({"estate", "check", syntax.string()});
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_NE(s.err.find(syntax.string() + ":"), std::string::npos) << s.err;
  EXPECT_EQ(s.err.find("terminate"), std::string::npos);
  EXPECT_EQ(RunRampart({"estate", "check"}).exit_code, 2);
}

TEST(EstateCliTest, ShowAndGraph) {
  auto text = RunRampart({"estate", "show", Example("estate.yaml")});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("zone training (training) non-routable"), std::string::npos);
  auto json = RunRampart({"estate", "show", "-f", Example("estate.yaml"), "--format", "json"});
  ASSERT_EQ(json.exit_code, 0);
  auto parsed = ParseJson(json.out);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->as_object().at("name"), "acme-ai");
  auto dot = RunRampart({"estate", "graph", Example("estate.yaml")});
  EXPECT_EQ(dot.exit_code, 0);
  EXPECT_EQ(dot.out.rfind("digraph", 0), 0u);
  auto g = RunRampart({"estate", "graph", Example("estate.yaml"), "--format", "json"});
  EXPECT_TRUE(ParseJson(g.out).has_value());
  EXPECT_EQ(RunRampart({"estate", "graph", Example("estate.yaml"), "--format", "svg"}).exit_code,
            2);
}

}  // namespace
}  // namespace rampart
