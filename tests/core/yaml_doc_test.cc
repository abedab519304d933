#include "core/yaml_doc.h"

#include <gtest/gtest.h>

#include <string>

namespace rampart {
namespace {

YamlStream MustParse(std::string_view text) {
  auto r = ParseYamlStream(text, "t.yaml");
  EXPECT_TRUE(r.has_value()) << r.error().message();
  return r.has_value() ? std::move(*r) : YamlStream();
}

std::string Error(std::string_view text, const YamlLimits& limits = {}) {
  auto r = ParseYamlStream(text, "bad.yaml", limits);
  EXPECT_FALSE(r.has_value());
  return r.has_value() ? "" : r.error().message();
}

TEST(YamlDocTest, ScalarsAndNulls) {
  YamlStream s = MustParse("a: text\nb: \"80\"\nc: 80\nd:\ne: ~\nf: null\ng: ''\nh: 'null'\n");
  ASSERT_EQ(s.documents().size(), 1u);
  YamlNode d = s.documents()[0];
  ASSERT_TRUE(d.IsMap());
  EXPECT_EQ(d.size(), 8u);
  EXPECT_EQ(d.Get("a").Scalar(), "text");
  EXPECT_TRUE(d.Get("a").IsPlain());
  EXPECT_TRUE(d.Get("b").IsScalar());
  EXPECT_FALSE(d.Get("b").IsPlain());
  EXPECT_EQ(d.Get("b").Scalar(), "80");
  EXPECT_TRUE(d.Get("c").IsPlain());
  for (const char* k : {"d", "e", "f"}) EXPECT_TRUE(d.Get(k).IsNull()) << k;
  EXPECT_TRUE(d.Get("g").IsScalar());  // a quoted empty string is a string
  EXPECT_TRUE(d.Get("h").IsScalar());
  EXPECT_FALSE(d.Get("missing").IsDefined());
  EXPECT_EQ(YamlTypeName(d.Get("missing")), "nothing");
  EXPECT_FALSE(d.Get("a").Get("x").IsDefined());  // lookup in a scalar
}

TEST(YamlDocTest, NestingAndIterationKeepOrder) {
  YamlStream s = MustParse(
      "spec:\n  containers:\n  - name: a\n    ports: [{containerPort: 80}, {containerPort: 81}]\n"
      "  - name: b\n");
  YamlNode cs = s.documents()[0].Get("spec").Get("containers");
  ASSERT_TRUE(cs.IsSequence());
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[1].Get("name").Scalar(), "b");
  std::string ports;
  for (YamlNode p : cs[0].Get("ports").Elements())
    ports += std::string(p.Get("containerPort").Scalar()) + ",";
  EXPECT_EQ(ports, "80,81,");
  std::string keys;
  for (auto [k, v] : cs[0].Entries()) keys += std::string(k.Scalar()) + ";";
  EXPECT_EQ(keys, "name;ports;");
  EXPECT_EQ(YamlTypeName(cs), "a list");
  EXPECT_EQ(YamlTypeName(cs[0]), "a mapping");
  // Iterating a node of another kind yields nothing.
  int n = 0;
  for (YamlNode e : cs[0].Elements()) n += e.IsDefined();
  for (auto e : cs.Entries()) n += e.key.IsDefined();
  EXPECT_EQ(n, 0);
}

TEST(YamlDocTest, MultiDocumentStreams) {
  YamlStream s = MustParse("---\nkind: A\n---\n---\nkind: B\n...\n---\n[1, 2]\n");
  ASSERT_EQ(s.documents().size(), 4u);
  EXPECT_EQ(s.documents()[0].Get("kind").Scalar(), "A");
  EXPECT_TRUE(s.documents()[1].IsNull());
  EXPECT_EQ(s.documents()[2].Get("kind").Scalar(), "B");
  EXPECT_TRUE(s.documents()[3].IsSequence());
  EXPECT_TRUE(MustParse("").documents().empty());
  EXPECT_TRUE(MustParse("# only a comment\n").documents().empty());
}

TEST(YamlDocTest, AnchorsAndAliasesShareTheNode) {
  YamlStream s =
      MustParse("base: &labels {app: web, tier: api}\nother: *labels\nlist: [&x 1, *x, *labels]\n");
  YamlNode d = s.documents()[0];
  EXPECT_TRUE(d.Get("other") == d.Get("base"));
  EXPECT_EQ(d.Get("other").Get("tier").Scalar(), "api");
  EXPECT_EQ(d.Get("list")[1].Scalar(), "1");
  EXPECT_TRUE(d.Get("list")[2] == d.Get("base"));
  // Anchors belong to their document.
  EXPECT_NE(Error("a: &x 1\n---\nb: *x\n").find("*x"), std::string::npos);
  // An alias inside its own anchored node would be a cycle.
  EXPECT_NE(Error("a: &x [1, *x]\n").find("bad.yaml:1:"), std::string::npos);
}

TEST(YamlDocTest, AliasBombRefused) {
  // "Billion laughs": each level multiplies by ten.
  std::string bomb = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    bomb += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) bomb += (j ? ", " : "") + prev;
    bomb += "]\n";
  }
  std::string e = Error(bomb);
  EXPECT_NE(e.find("alias bomb"), std::string::npos) << e;
  EXPECT_EQ(e.rfind("bad.yaml:", 0), 0u) << e;
  // A few levels are fine.
  std::string small = bomb.substr(0, bomb.find("l3:"));
  EXPECT_TRUE(ParseYamlStream(small, "ok.yaml").has_value());
}

TEST(YamlDocTest, LineAndColumnOfNodes) {
  YamlStream s =
      MustParse("kind: Pod\nmetadata:\n  name: web\n  labels: {app: x}\nlist:\n- a\n- b\n");
  YamlNode d = s.documents()[0];
  EXPECT_EQ(d.line(), 1);
  EXPECT_EQ(d.column(), 1);
  YamlNode name = d.Get("metadata").Get("name");
  EXPECT_EQ(name.line(), 3);
  EXPECT_EQ(name.column(), 9);
  YamlNode labels = d.Get("metadata").Get("labels");
  EXPECT_EQ(labels.line(), 4);
  EXPECT_EQ(labels.column(), 11);
  EXPECT_EQ(d.Get("list")[1].line(), 7);
  EXPECT_EQ(d.Get("list")[1].column(), 3);
  SourceLocation loc = LocationOf(name, "m.yaml");
  EXPECT_EQ(loc.ToString(), "m.yaml:3:9");
  EXPECT_FALSE(LocationOf(YamlNode(), "m.yaml").known());
  // Positions restart with each document's text, not with each document.
  YamlStream two = MustParse("a: 1\n---\nb: 2\n");
  EXPECT_EQ(two.documents()[1].Get("b").line(), 3);
}

TEST(YamlDocTest, MalformedInputNamesLineAndColumn) {
  EXPECT_EQ(Error("a: 1\nb: [1, 2\nc: 3\n").rfind("bad.yaml:", 0), 0u);
  std::string e = Error("a: 1\nb: c: d\n");
  EXPECT_EQ(e.rfind("bad.yaml:2:5: ", 0), 0u) << e;
  e = Error("apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n");
  EXPECT_EQ(e.rfind("bad.yaml:4:", 0), 0u) << e;
  e = Error("a:\n  - x\n b: y\n");
  EXPECT_EQ(e.rfind("bad.yaml:3:", 0), 0u) << e;
  // Bytes that are not UTF-8.
  e = Error("a: 1\nb: \xff\xfe\n");
  EXPECT_EQ(e.rfind("bad.yaml:2:", 0), 0u) << e;
  EXPECT_NE(e.find("UTF-8"), std::string::npos) << e;
  // A stray ',' (yaml-cpp loops on it) is an error here.
  EXPECT_EQ(Error(",\n").rfind("bad.yaml:1:1: ", 0), 0u);
}

TEST(YamlDocTest, DepthAndDocumentLimits) {
  std::string e = Error(std::string(10000, '['));
  EXPECT_NE(e.find("nesting deeper than 256"), std::string::npos) << e;
  std::string dashes;
  for (int i = 0; i < 2000; ++i) dashes += "- ";
  EXPECT_NE(Error(dashes + "x\n").find("nesting deeper"), std::string::npos);
  YamlLimits few;
  few.max_documents = 2;
  EXPECT_NE(Error("a\n---\nb\n---\nc\n", few).find("more than 2 documents"), std::string::npos);
}

TEST(YamlDocTest, JsonInput) {
  YamlStream s = MustParse(
      "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"items\":[\n"
      "\t{\"metadata\":{\"name\":\"a\",\"labels\":{\"app\":\"x\"}},\"spec\":{\"containers\":[{"
      "\"ports\":[{\"containerPort\":8080,\"protocol\":\"TCP\"}]}]}},\n"
      "\t{\"metadata\":{\"name\":\"b\",\"namespace\":null}}\n]}\n");
  YamlNode d = s.documents()[0];
  EXPECT_EQ(d.Get("kind").Scalar(), "PodList");
  YamlNode items = d.Get("items");
  ASSERT_EQ(items.size(), 2u);
  YamlNode port = items[0].Get("spec").Get("containers")[0].Get("ports")[0];
  EXPECT_EQ(port.Get("containerPort").Scalar(), "8080");
  EXPECT_TRUE(port.Get("containerPort").IsPlain());
  EXPECT_FALSE(port.Get("protocol").IsPlain());
  EXPECT_TRUE(items[1].Get("metadata").Get("namespace").IsNull());
  EXPECT_EQ(items[1].line(), 3);
  EXPECT_EQ(items[1].column(), 2);

  // A big List: 20,000 items in one JSON document.
  std::string big = "{\"kind\":\"List\",\"items\":[";
  for (int i = 0; i < 20000; ++i) {
    big += (i ? "," : "") + std::string("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p") +
           std::to_string(i) + "\"}}";
  }
  big += "]}";
  YamlStream b = MustParse(big);
  ASSERT_EQ(b.documents()[0].Get("items").size(), 20000u);
  EXPECT_EQ(b.documents()[0].Get("items")[19999].Get("metadata").Get("name").Scalar(), "p19999");
}

TEST(YamlDocTest, StreamMovesKeepNodesValid) {
  auto r = ParseYamlStream("a: {b: c}\n", "m.yaml");
  ASSERT_TRUE(r.has_value());
  YamlNode b = r->documents()[0].Get("a").Get("b");
  YamlStream moved = std::move(*r);
  EXPECT_EQ(b.Scalar(), "c");
  EXPECT_TRUE(moved.documents()[0].Get("a").Get("b") == b);
}

}  // namespace
}  // namespace rampart
