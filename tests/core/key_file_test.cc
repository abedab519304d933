#include "core/key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/file.h"

namespace rampart {
namespace {

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rampart-key-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(KeyFileTest, RoundTripWithOwnerOnlyMode) {
  auto key = crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
  ASSERT_TRUE(key.has_value());
  auto priv = dir_ / "k.pem";
  auto pub = dir_ / "k.pub";
  ASSERT_TRUE(WritePrivateKeyFile(priv, *key).ok());
  ASSERT_TRUE(WritePublicKeyFile(pub, key->public_key()).ok());
  struct stat st;
  ASSERT_EQ(stat(priv.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = LoadPrivateKeyFile(priv);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message();
  auto sig = loaded->Sign(crypto::AsBytes("m"));
  ASSERT_TRUE(sig.has_value());
  auto loaded_pub = LoadPublicKeyFile(pub);
  ASSERT_TRUE(loaded_pub.has_value());
  EXPECT_TRUE(loaded_pub->Verify(crypto::AsBytes("m"), *sig).ok());
  // No silent overwrite of a key.
  Status again = WritePrivateKeyFile(priv, *key);
  EXPECT_FALSE(again.ok());
  EXPECT_NE(again.message().find("already exists"), std::string::npos);
}

TEST_F(KeyFileTest, NotAKeyNamesTheFile) {
  auto junk = dir_ / "notes.txt";
  ASSERT_TRUE(WriteFileAtomic(junk, "hello, this is not a key\n").ok());
  auto k = LoadPrivateKeyFile(junk);
  ASSERT_FALSE(k.has_value());
  EXPECT_EQ(k.error().message().rfind(junk.string() + ": not a private key", 0), 0u)
      << k.error().message();
  auto p = LoadPublicKeyFile(junk);
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().message().rfind(junk.string() + ":", 0), 0u);

  auto key = crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP256);
  auto pub = dir_ / "pub.pem";
  ASSERT_TRUE(WritePublicKeyFile(pub, key->public_key()).ok());
  auto wrong = LoadPrivateKeyFile(pub);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().message().find("found a PUBLIC KEY"), std::string::npos);
  auto priv = dir_ / "priv.pem";
  ASSERT_TRUE(WritePrivateKeyFile(priv, *key).ok());
  auto wrong2 = LoadPublicKeyFile(priv);
  ASSERT_FALSE(wrong2.has_value());
  EXPECT_NE(wrong2.error().message().find("private key where a public key"), std::string::npos);
  auto missing = LoadPrivateKeyFile(dir_ / "missing.pem");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  auto chain = LoadCertificateChainFile(junk);
  ASSERT_FALSE(chain.has_value());
  EXPECT_EQ(chain.error().message().rfind(junk.string(), 0), 0u);
}

}  // namespace
}  // namespace rampart
