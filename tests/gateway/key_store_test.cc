#include "gateway/key_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "testing/testing.h"

namespace rampart::gateway {
namespace {

using rampart::testing::TempDir;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'750'000'000));

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(KeyStoreTest, CreateAuthenticateAndPersist) {
  TempDir dir;
  auto path = dir / "var/gateway-keys.json";
  auto store = KeyStore::Load(path);
  ASSERT_TRUE(store.has_value()) << store.error().message();  // missing = empty
  EXPECT_EQ(store->size(), 0u);
  auto k = store->Create("frontend", kNow);
  ASSERT_TRUE(k.has_value());
  EXPECT_TRUE(k->key.starts_with("rk_gw_" + k->id + "_"));
  EXPECT_EQ(k->id.size(), 16u);
  auto k2 = store->Create("admin", kNow);
  ASSERT_TRUE(k2.has_value());
  EXPECT_NE(k->key, k2->key);
  ASSERT_TRUE(store->Save(path).ok());

  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::string file = Slurp(path);
  EXPECT_EQ(file.find(k->key), std::string::npos);  // never the plain key
  EXPECT_EQ(file.find(k->key.substr(k->key.size() - 20)), std::string::npos);
  EXPECT_NE(file.find(k->id), std::string::npos);

  auto reloaded = KeyStore::Load(path);
  ASSERT_TRUE(reloaded.has_value()) << reloaded.error().message();
  auto id = reloaded->Authenticate(k->key);
  ASSERT_TRUE(id.has_value()) << id.error().message();
  EXPECT_EQ(*id, "frontend");
  EXPECT_EQ(*reloaded->Authenticate(k2->key), "admin");
}

TEST(KeyStoreTest, WrongAndMalformedKeys) {
  KeyStore store;
  auto k = store.Create("frontend", kNow);
  ASSERT_TRUE(k.has_value());
  std::string wrong = k->key;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(store.Authenticate(wrong).error().message(), "unknown API key");
  EXPECT_EQ(store.Authenticate(wrong).error().code(), StatusCode::kUnauthenticated);
  // A valid shape with an unknown id.
  std::string other = "rk_gw_0000000000000000_" + k->key.substr(k->key.size() - 43);
  EXPECT_EQ(store.Authenticate(other).error().message(), "unknown API key");
  for (std::string_view bad :
       {"", "rk_gw_", "rk_gw_short_x", "Bearer x", "rk_abc", "rk_gw_0123456789abcdefX"}) {
    EXPECT_EQ(store.Authenticate(bad).error().message(), "malformed API key") << bad;
  }
  EXPECT_FALSE(store.Authenticate(k->key + std::string(200, 'a')).has_value());
  // The key's prefix and id alone do not authenticate.
  EXPECT_FALSE(store.Authenticate(k->key.substr(0, 6 + 16 + 1) + "x").has_value());
}

TEST(KeyStoreTest, RevokeAndReload) {
  TempDir dir;
  auto path = dir / "keys.json";
  KeyStore store;
  auto k = store.Create("frontend", kNow);
  auto keep = store.Create("frontend", kNow + std::chrono::seconds(1));
  ASSERT_TRUE(k && keep);
  ASSERT_TRUE(store.Save(path).ok());
  // A running gateway holds the loaded store...
  auto serving = KeyStore::Load(path);
  ASSERT_TRUE(serving.has_value());
  ASSERT_TRUE(serving->Authenticate(k->key).has_value());
  // ... the CLI revokes and saves ...
  ASSERT_TRUE(store.Revoke(k->id, kNow).ok());
  ASSERT_TRUE(store.Revoke(k->id, kNow).ok());  // idempotent
  EXPECT_EQ(store.Revoke("ffffffffffffffff", kNow).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store.Save(path).ok());
  // ... and the reload (SIGHUP) re-reads it.
  auto reloaded = KeyStore::Load(path);
  ASSERT_TRUE(reloaded.has_value()) << reloaded.error().message();
  EXPECT_EQ(reloaded->Authenticate(k->key).error().message(), "revoked API key");
  EXPECT_TRUE(reloaded->Authenticate(keep->key).has_value());
  auto list = reloaded->List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, k->id);
  EXPECT_EQ(list[0].revoked, 1'750'000'000);
  EXPECT_EQ(list[1].revoked, 0);
  EXPECT_EQ(list[1].created, 1'750'000'001);
  // The revoked record keeps no hash.
  std::string file = Slurp(path);
  auto pos = file.find(k->id);
  auto next = file.find('}', pos);
  EXPECT_EQ(file.substr(pos, next - pos).find("hash"), std::string::npos) << file;
}

TEST(KeyStoreTest, TamperedFilesAreClearErrors) {
  TempDir dir;
  KeyStore store;
  auto k = store.Create("frontend", kNow);
  ASSERT_TRUE(k.has_value());
  auto good = dir / "good.json";
  ASSERT_TRUE(store.Save(good).ok());
  std::string text = Slurp(good);

  struct Tamper {
    const char* name;
    std::string text;
    const char* expect;
  };
  auto replace = [&](std::string from, std::string to) {
    std::string t = text;
    auto p = t.find(from);
    EXPECT_NE(p, std::string::npos) << from;
    if (p != std::string::npos) t.replace(p, from.size(), to);
    return t;
  };
  // The hash as stored: find it to corrupt it.
  auto hpos = text.find("\"hash\"");
  ASSERT_NE(hpos, std::string::npos);
  std::vector<Tamper> cases = {
      {"not json", "{\"version\": 1, \"keys\": [", "line"},
      {"not an object", "[]", "must be a JSON object"},
      {"wrong version", replace("\"version\": 1", "\"version\": 2"), "version"},
      {"unknown field", replace("\"version\": 1", "\"version\": 1, \"x\": 0"), "unknown field"},
      {"short hash", replace("\"hash\": \"", "\"hash\": \"ab"), "hash must be 32 bytes"},
      {"bad id", replace(k->id, "XYZ"), "bad id"},
      {"no hash", replace("\"hash\"", "\"hush\""), "record 1"},
      {"empty identity", replace("\"frontend\"", "\"\""), "empty identity"},
      {"duplicate",
       replace("\"keys\": [", "\"keys\": [{\"id\": \"" + k->id +
                                  "\", \"identity\": \"a\", \"created\": 1, \"revoked\": 2},"),
       "duplicate id"},
  };
  for (const Tamper& t : cases) {
    SCOPED_TRACE(t.name);
    auto p = dir.Write(std::string(t.name) + ".json", t.text);
    auto r = KeyStore::Load(p);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), StatusCode::kCorruption);
    EXPECT_NE(r.error().message().find(t.expect), std::string::npos) << r.error().message();
    EXPECT_NE(r.error().message().find(p.string()), std::string::npos) << r.error().message();
  }
  // Swapping the identity of a record is not detectable without a secret,
  // but swapping the hash to another record's makes the key fail closed.
  KeyStore two;
  auto a = two.Create("frontend", kNow);
  auto b = two.Create("admin", kNow);
  auto p2 = dir / "two.json";
  ASSERT_TRUE(two.Save(p2).ok());
  std::string t2 = Slurp(p2);
  auto ka = KeyStore::Load(p2);
  ASSERT_TRUE(ka.has_value());
  std::string swapped = t2;
  auto ia = swapped.find(a->id);
  auto ib = swapped.find(b->id);
  swapped.replace(ia, 16, b->id);
  swapped.replace(ib, 16, a->id);
  auto ps = dir.Write("swapped.json", swapped);
  auto s = KeyStore::Load(ps);
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(s->Authenticate(a->key).has_value());
  EXPECT_FALSE(s->Authenticate(b->key).has_value());
}

}  // namespace
}  // namespace rampart::gateway
