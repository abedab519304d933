#include "core/yaml.h"

#include <gtest/gtest.h>

namespace rampart {
namespace {

TEST(YamlTest, SyntaxErrorNamesFileLineColumn) {
  auto r = ParseYaml("a: 1\nb: [1, 2\nc: 3\n", "x.yaml");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message().rfind("x.yaml:", 0), 0u) << r.error().message();
}

TEST(YamlTest, DeepNestingRefusedBeforeParsing) {
  auto flow = ParseYaml(std::string(10000, '['), "deep.yaml");
  ASSERT_FALSE(flow.has_value());
  EXPECT_NE(flow.error().message().find("nested deeper"), std::string::npos);
  std::string dashes;
  for (int i = 0; i < 2000; ++i) dashes += "- ";
  dashes += "x\n";
  EXPECT_FALSE(ParseYaml(dashes, "deep.yaml").has_value());
  // Ordinary nesting is fine.
  EXPECT_TRUE(ParseYaml("a:\n  b:\n    - [1, {c: [2]}]\n", "ok.yaml").has_value());
}

TEST(YamlTest, FieldsReadTypesAndReportProblems) {
  auto node = ParseYaml(
      "name: gpu\nport: 70000\ncount: x\nflag: maybe\nlist: [a, b]\nlabels: {app: t}\n"
      "kind: trainig\nextra: 1\nnam: 2\n",
      "f.yaml");
  ASSERT_TRUE(node.has_value());
  Diagnostics d;
  YamlFields f(*node, "f.yaml", &d, "service", "test");
  EXPECT_EQ(*f.String("name", true), "gpu");
  EXPECT_FALSE(f.Int("port", false, 1, 65535).has_value());
  EXPECT_FALSE(f.Int("count").has_value());
  EXPECT_FALSE(f.Bool("flag").has_value());
  EXPECT_EQ(f.StringList("list")->size(), 2u);
  EXPECT_EQ(f.StringMap("labels")->at("app"), "t");
  EXPECT_FALSE(f.Enum("kind", {"training", "inference"}).has_value());
  EXPECT_FALSE(f.String("missing", true).has_value());
  f.CheckUnknown();
  std::string all = d.ToString();
  EXPECT_NE(all.find("f.yaml:2:7: error: service field 'port' is 70000, outside 1..65535"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("f.yaml:3:8:"), std::string::npos) << all;
  EXPECT_NE(all.find("did you mean 'training'?"), std::string::npos) << all;
  EXPECT_NE(all.find("missing required field 'missing'"), std::string::npos) << all;
  EXPECT_NE(all.find("f.yaml:8:1: error: service has unknown field 'extra'"), std::string::npos)
      << all;
  EXPECT_NE(all.find("unknown field 'nam'"), std::string::npos) << all;
  EXPECT_NE(all.find("did you mean 'name'?"), std::string::npos) << all;
}

TEST(YamlTest, DuplicateKeysAreErrors) {
  auto node = ParseYaml("a: 1\nb: 2\na: 3\n", "dup.yaml");
  ASSERT_TRUE(node.has_value());
  Diagnostics d;
  YamlFields f(*node, "dup.yaml", &d, "thing", "test");
  EXPECT_TRUE(d.has_errors());
  EXPECT_NE(d.ToString().find("dup.yaml:3:1: error: thing repeats key 'a'"), std::string::npos)
      << d.ToString();
}

TEST(YamlTest, StrayCommaDoesNotHang) {
  // yaml-cpp's LoadAll loops forever on a document that starts with ','.
  for (const char* text : {",", "#c\n,#x", "a: 1\n---\n, b"}) {
    auto r = ParseYamlAll(text, "c.yaml");
    ASSERT_FALSE(r.has_value()) << text;
    EXPECT_NE(r.error().message().find("unexpected ','"), std::string::npos) << r.error().message();
  }
}

TEST(YamlTest, MultiDocument) {
  auto docs = ParseYamlAll("a: 1\n---\nb: 2\n", "m.yaml");
  ASSERT_TRUE(docs.has_value());
  EXPECT_EQ(docs->size(), 2u);
  EXPECT_FALSE(ParseYaml("a: 1\n---\nb: 2\n", "m.yaml").has_value());
}

}  // namespace
}  // namespace rampart
