#include "core/json.h"

#include <gtest/gtest.h>

namespace rampart {
namespace {

TEST(JsonTest, ParseReportsLineAndColumn) {
  auto r = ParseJson("{\n  \"a\": 1,\n  \"b\" 2\n}", {}, "entry.json");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("entry.json: line 3, column 7"), std::string::npos)
      << r.error().message();
}

TEST(JsonTest, RejectsDuplicateKeysTrailingDataDepthAndSize) {
  auto dup = ParseJson(R"({"a":1,"b":{"c":1,"c":2}})");
  ASSERT_FALSE(dup.has_value());
  EXPECT_NE(dup.error().message().find("duplicate member 'c'"), std::string::npos);
  // The same key in different objects is fine.
  EXPECT_TRUE(ParseJson(R"({"c":1,"b":{"c":2}})").has_value());
  EXPECT_FALSE(ParseJson("{} {}").has_value());
  EXPECT_FALSE(ParseJson(std::string(100, '[') + std::string(100, ']')).has_value());
  JsonLimits small;
  small.max_bytes = 4;
  EXPECT_FALSE(ParseJson("[1,2,3]", small).has_value());
  EXPECT_FALSE(ParseJson("").has_value());
  // A number beyond the double range (it would parse as infinity, which no
  // canonical form can carry): refused with its position.
  auto huge = ParseJson(R"({"a":[41111111e111111111,null]})");
  ASSERT_FALSE(huge.has_value());
  EXPECT_NE(huge.error().message().find("outside the range of a double"), std::string::npos)
      << huge.error().message();
  EXPECT_FALSE(ParseJson("-1e400").has_value());
  EXPECT_TRUE(ParseJson("1e308").has_value());
}

// The duplicate check counts members per object and compares with the
// objects built (Boost.JSON keeps one member per name): duplicates anywhere
// in the tree, after nested objects, in arrays, in large objects, with
// escapes that make two spellings one name, and in an object whose repeated
// member holds objects itself, are all found and named; arenas don't change it.
TEST(JsonTest, DuplicateKeysFoundWhereverTheyAre) {
  auto named = [](std::string_view text, std::string_view name) {
    auto r = ParseJson(text);
    if (r.has_value()) return ::testing::AssertionFailure() << "accepted: " << text;
    if (r.error().message().find("duplicate member '" + std::string(name) + "'") ==
        std::string::npos)
      return ::testing::AssertionFailure() << r.error().message();
    return ::testing::AssertionSuccess();
  };
  EXPECT_TRUE(named(R"([{"a":1},{"b":1,"b":2}])", "b"));
  EXPECT_TRUE(named(R"({"x":{"y":{"z":1}},"w":[1,{"q":0,"q":0}]})", "q"));
  EXPECT_TRUE(named(R"({"a":{"p":1},"b":2,"a":{"p":1}})", "a"));
  EXPECT_TRUE(named(R"({"a\u0062":1,"ab":2})", "ab"));
  std::string large = "{";
  for (int i = 0; i < 300; ++i)
    large += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  large += "\"k150\":0}";
  EXPECT_TRUE(named(large, "k150"));
  // A syntax error after a duplicate: the duplicate is reported (first).
  EXPECT_TRUE(named(R"({"a":1,"a":2,)", "a"));
  // Not duplicates: the same name in sibling and nested objects, many objects.
  std::string many = "[";
  for (int i = 0; i < 500; ++i) many += std::string(i ? "," : "") + R"({"a":{"a":[{"a":1}]}})";
  many += "]";
  EXPECT_TRUE(ParseJson(many).has_value());
  unsigned char buf[256];
  json::monotonic_resource mr(buf, sizeof buf);
  auto arena = ParseJson(R"({"m":"x","m":"y"})", {}, "", &mr);
  ASSERT_FALSE(arena.has_value());
  EXPECT_NE(arena.error().message().find("duplicate member 'm'"), std::string::npos);
  JsonLimits allow;
  allow.allow_duplicate_keys = true;
  EXPECT_TRUE(ParseJson(R"({"m":"x","m":"y"})", allow).has_value());
}

// RFC 8785 examples (§3.2.2.3 number serialisation and §3.2.3 sorting).
TEST(JsonTest, CanonicalNumbers) {
  const std::pair<double, const char*> kNumbers[] = {
      {0.0, "0"},
      {-0.0, "0"},
      {1.0, "1"},
      {-1.5, "-1.5"},
      {1e21, "1e+21"},
      {1e20, "100000000000000000000"},
      {1e-7, "1e-7"},
      {1e-6, "0.000001"},
      {333333333.33333329, "333333333.3333333"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {9007199254740992.0, "9007199254740992"},
      {295147905179352830000.0, "295147905179352830000"},
      {0.1, "0.1"},
      {123.456e-10, "1.23456e-8"},
  };
  for (auto [d, want] : kNumbers) {
    EXPECT_EQ(CanonicalJson(json::value(d)), want) << want;
  }
  EXPECT_EQ(CanonicalJson(json::value(std::int64_t{-42})), "-42");
}

// Parsed doubles are rounded correctly, so the canonical form of a
// canonical text is itself (found by ledger_entry_fuzzer: a 40-digit integer
// printed as 3.3333333333333336e+39, which re-parsed printed as
// 3.333333333333333e+39).
TEST(JsonTest, ParsedDoublesAreCorrectlyRoundedAndCanonicalFormsAreStable) {
  for (const char* text :
       {"[3333333333333333333333333333333333333331]", "[3.3333333333333336e+39]",
        "{\"a\":[0.1,2.5,1e-7]}",
        "{\"b\":{\"c\":[1.00000000000000011102230246251565404236316680908203125]},\"d\":"
        "7.0000000000000000000000000000001}"}) {
    auto v = ParseJson(text);
    ASSERT_TRUE(v.has_value()) << text;
    const std::string once = CanonicalJson(*v);
    auto again = ParseJson(once);
    ASSERT_TRUE(again.has_value()) << once;
    EXPECT_EQ(CanonicalJson(*again), once) << text;
  }
  auto v = ParseJson("[3333333333333333333333333333333333333331]");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->as_array()[0].as_double(), 3333333333333333333333333333333333333331.0);
}

TEST(JsonTest, CanonicalSortsByUtf16AndEscapesMinimally) {
  // RFC 8785 §3.2.3: "\u20ac" < "\r" etc; our case: keys sorted by UTF-16 units,
  // where U+1F600 (surrogates D83D..) sorts before U+FB33.
  auto v = ParseJson(
      R"({"b":[true,null,"x\u0001\n\"é"],"a":{"z":1,"y":2},"\ufb33":2,"\ud83d\ude00":1})");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(CanonicalJson(*v),
            "{\"a\":{\"y\":2,\"z\":1},\"b\":[true,null,\"x\\u0001\\n\\\"é\"],\"😀\":1,"
            "\"\xef\xac\xb3\":2}");
}

TEST(JsonTest, TypedAccessors) {
  auto v = ParseJson(R"({"s":"x","i":7,"b":true,"o":{},"a":[]})");
  ASSERT_TRUE(v.has_value());
  const auto& o = v->as_object();
  EXPECT_EQ(*GetString(o, "s"), "x");
  EXPECT_EQ(*GetInt(o, "i"), 7);
  EXPECT_TRUE(*GetBool(o, "b"));
  EXPECT_TRUE(GetObject(o, "o").has_value());
  EXPECT_TRUE(GetArray(o, "a").has_value());
  EXPECT_EQ(GetString(o, "missing").error().code(), StatusCode::kNotFound);
  EXPECT_EQ(GetString(o, "i").error().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(GetOptionalString(o, "missing")->has_value());
  EXPECT_FALSE(GetOptionalInt(o, "s").has_value());
}

TEST(JsonTest, PrettyKeepsOrder) {
  auto v = ParseJson(R"({"b":1,"a":[1,{"c":null}]})");
  EXPECT_EQ(ToPrettyJson(*v),
            "{\n  \"b\": 1,\n  \"a\": [\n    1,\n    {\n      \"c\": null\n    }\n  ]\n}");
}

}  // namespace
}  // namespace rampart
