// Core's API-key scheme (core/api_key.h), shared by the gateway and the ledger.
#include "core/api_key.h"

#include <gtest/gtest.h>

namespace rampart {
namespace {

TEST(ApiKeyTest, GeneratedKeysAuthenticateByIdAndSecret) {
  auto a = CreateApiKey("rk_lg_");
  auto b = CreateApiKey("rk_lg_");
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(a->key.starts_with("rk_lg_" + a->hash.id + "_"));
  EXPECT_NE(a->hash.id, b->hash.id);
  ApiKeySet set("rk_lg_");
  ASSERT_TRUE(set.Add(a->hash, "orchestrator-sa").ok());
  ASSERT_TRUE(set.Add(b->hash, "gateway-sa").ok());
  EXPECT_EQ(*set.Authenticate(a->key), "orchestrator-sa");
  EXPECT_EQ(*set.Authenticate(b->key), "gateway-sa");

  // The right id with the wrong secret, an unknown id, another service's prefix.
  std::string wrong = a->key;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(set.Authenticate(wrong).error().code(), StatusCode::kUnauthenticated);
  std::string unknown = "rk_lg_0123456789abcdef_" + a->key.substr(a->key.rfind('_') + 1);
  EXPECT_EQ(set.Authenticate(unknown).error().message(), "unknown API key");
  std::string other = "rk_gw_" + a->key.substr(6);
  EXPECT_EQ(set.Authenticate(other).error().message(), "malformed API key");
  EXPECT_EQ(set.Authenticate("").error().message(), "malformed API key");
  EXPECT_EQ(set.Authenticate(std::string(1000, 'x')).error().message(), "malformed API key");
}

TEST(ApiKeyTest, StoredFormRoundTripsAndRefusesOtherShapes) {
  auto a = CreateApiKey("rk_gw_");
  ASSERT_TRUE(a);
  std::string text = FormatApiKeyHash(a->hash);
  auto back = ParseApiKeyHash(text);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->id, a->hash.id);
  EXPECT_TRUE(ApiKeyMatches(*back, a->key));
  // The form without a key id (older ledger keys), wrong sizes, wrong hex.
  std::string salt(32, 'a'), hash(64, 'b');
  for (const std::string& bad :
       {"sha256:" + salt + ":" + hash, "sha256:0123456789ABCDEF:" + salt + ":" + hash,
        "sha256:0123456789abcdef:" + salt.substr(2) + ":" + hash,
        "sha256:0123456789abcdef:" + salt + ":" + hash.substr(2),
        "md5:0123456789abcdef:" + salt + ":" + hash, std::string("sha256:::")}) {
    auto r = ParseApiKeyHash(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message().find("sha256:<key id>:<salt hex>:<hash hex>"), std::string::npos);
  }
}

TEST(ApiKeyTest, DuplicateIdsAreRefused) {
  auto a = CreateApiKey("rk_lg_");
  ASSERT_TRUE(a);
  ApiKeySet set("rk_lg_");
  ASSERT_TRUE(set.Add(a->hash, "one").ok());
  EXPECT_FALSE(set.Add(a->hash, "two").ok());
  EXPECT_FALSE(set.Add(ApiKeyHash{}, "three").ok());
  EXPECT_EQ(set.size(), 1u);
}

}  // namespace
}  // namespace rampart
