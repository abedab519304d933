// The canary: generated once and kept, inserted into system prompts.
#include "guards/canary.h"

#include <gtest/gtest.h>

#include "testing/testing.h"

namespace rampart::guards {
namespace {

TEST(Canary, GeneratedOnceAndKeptInTheVarDir) {
  testing::TempDir dir;
  auto a = LoadOrCreateCanary(dir / "var", "");
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_TRUE(a->starts_with("rmp-canary-"));
  EXPECT_EQ(a->size(), 11u + 24u);
  auto b = LoadOrCreateCanary(dir / "var", "");
  ASSERT_TRUE(b);
  EXPECT_EQ(*a, *b);
  testing::TempDir other;
  EXPECT_NE(*LoadOrCreateCanary(other.path(), ""), *a);
  // A configured token wins; a weak one is refused.
  EXPECT_EQ(*LoadOrCreateCanary(dir.path(), "my-own-canary-token-1"), "my-own-canary-token-1");
  EXPECT_FALSE(LoadOrCreateCanary(dir.path(), "short"));
}

TEST(Canary, InsertedIntoTheSystemPromptOrAsOne) {
  auto with = ParseJson(R"({"model":"m","messages":[{"role":"system","content":"Be brief."},
                           {"role":"user","content":"hi"}]})");
  auto out = InsertCanary(with->as_object(), "rmp-canary-abc");
  ASSERT_TRUE(out);
  auto v = ParseJson(*out);
  ASSERT_TRUE(v);
  auto& msgs = v->as_object()["messages"].as_array();
  ASSERT_EQ(msgs.size(), 2u);
  std::string sys(msgs[0].as_object()["content"].as_string().c_str());
  EXPECT_TRUE(sys.starts_with("Be brief."));
  EXPECT_NE(sys.find("rmp-canary-abc"), std::string::npos);

  auto without = ParseJson(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
  out = InsertCanary(without->as_object(), "rmp-canary-abc");
  v = ParseJson(*out);
  auto& m2 = v->as_object()["messages"].as_array();
  ASSERT_EQ(m2.size(), 2u);
  EXPECT_EQ(m2[0].as_object()["role"], "system");
  EXPECT_EQ(m2[1].as_object()["content"], "hi");

  auto completions = ParseJson(R"({"model":"m","prompt":"hi"})");
  EXPECT_FALSE(InsertCanary(completions->as_object(), "rmp-canary-abc"));
}

}  // namespace
}  // namespace rampart::guards
