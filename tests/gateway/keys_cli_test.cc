// `rampart gateway keys create|revoke|list` end to end through the binary.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "gateway/key_store.h"
#include "testing/testing.h"

namespace rampart::gateway {
namespace {

using rampart::testing::RunRampart;
using rampart::testing::SourceDir;
using rampart::testing::TempDir;

TEST(GatewayKeysCliTest, CreateListRevoke) {
  TempDir dir;
  std::string store = (dir / "keys.json").string();
  std::string estate = (SourceDir() / "examples/estate.yaml").string();
  auto created = RunRampart({"gateway", "keys", "create", "--identity", "chat-frontend", "--estate",
                             estate, "--store", store});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  // stdout is the key and nothing else.
  ASSERT_TRUE(created.out.starts_with("rk_gw_")) << created.out;
  ASSERT_EQ(created.out.find('\n'), created.out.size() - 1);
  std::string key = created.out.substr(0, created.out.size() - 1);
  std::string id = key.substr(6, 16);

  std::ifstream in(store);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str().find(key), std::string::npos);

  auto loaded = KeyStore::Load(store);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(*loaded->Authenticate(key), "chat-frontend");

  auto list = RunRampart({"gateway", "keys", "list", "--store", store});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(id), std::string::npos);
  EXPECT_NE(list.out.find("chat-frontend"), std::string::npos);
  EXPECT_NE(list.out.find("active"), std::string::npos);
  EXPECT_EQ(list.out.find("sha"), std::string::npos);

  auto revoke = RunRampart({"gateway", "keys", "revoke", id, "--store", store});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  EXPECT_TRUE(revoke.out.empty());
  auto json = RunRampart({"gateway", "keys", "list", "--store", store, "--format", "json"});
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_NE(json.out.find("\"revoked\""), std::string::npos) << json.out;
  EXPECT_EQ(json.out.find("hash"), std::string::npos);
  EXPECT_FALSE(KeyStore::Load(store)->Authenticate(key).has_value());

  auto missing = RunRampart({"gateway", "keys", "revoke", "0123456789abcdef", "--store", store});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("no API key"), std::string::npos);
}

TEST(GatewayKeysCliTest, UnknownIdentityIsRefused) {
  TempDir dir;
  std::string store = (dir / "keys.json").string();
  auto r = RunRampart({"gateway", "keys", "create", "--identity", "chat-frontnd", "--estate",
                       (SourceDir() / "examples/estate.yaml").string(), "--store", store});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("did you mean 'chat-frontend'"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(store));
}

TEST(GatewayKeysCliTest, TamperedStoreIsAnError) {
  TempDir dir;
  auto store = dir.Write("keys.json", "{\"version\": 1, \"keys\": [{\"id\": \"x\"}]}");
  auto r = RunRampart({"gateway", "keys", "list", "--store", store.string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("keys.json"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rampart::gateway
